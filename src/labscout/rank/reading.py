"""``reading_list``: what to read first on a topic, each work with why it is there.

Three sections, in this order, no work twice:

1. **surveys**: among the topic's ``survey_depth`` most relevant works, those
   whose OpenAlex type is ``review`` or whose title says survey, review,
   tutorial or overview; most relevant first.
2. **central**: the works the topic's own works cite most (counted from the
   ``referenced_works`` of the topic's ``depth`` most relevant works, each
   citation weighted by the citing work's relevance; only works in the store
   can be listed), cited by at least ``min_cites`` of them. When
   the topic's works carry no reference lists (paper lists, DBLP), the most
   cited of the topic's ``survey_depth`` most relevant works instead, by their
   stored citation count, and the reason says so.
3. **recent**: the latest works on the topic of the ``n_people`` researchers
   ``find`` ranks first, up to ``per_person`` each.

The topic's works are the works retrieved for the text (BM25 and embeddings,
fused as in ``find``).
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from labscout.errors import InputError
from labscout.progress import Progress
from labscout.records import Work
from labscout.results import JsonResult
from labscout.store import Store

_SURVEY = re.compile(r"\b(survey|review|tutorial|overview)s?\b", re.I)


@dataclass(frozen=True)
class ReadingParams:
    depth: int = 300
    """The topic's works: this many retrieved works, most relevant first."""
    survey_depth: int = 100
    """Surveys (and the fallback for central works) come from the most relevant this-many."""
    n_surveys: int = 5
    n_central: int = 10
    min_cites: int = 2
    """A central work is cited by at least this many of the topic's works."""
    n_people: int = 5
    per_person: int = 1


@dataclass(frozen=True)
class ReadingItem:
    section: str
    """surveys, central or recent."""
    rank: int
    """Place in the whole list (1 = read first)."""
    work_id: str
    title: str
    year: int | None
    venue: str | None
    doi: str | None
    type: str | None
    cited_by_count: int | None
    relevance: float | None
    """Fused relevance to the topic (None for a cited work that was not retrieved)."""
    reason: str


@dataclass(frozen=True)
class ReadingList(JsonResult):
    query: dict[str, Any]
    items: tuple[ReadingItem, ...]
    n_topic_works: int
    central_basis: str
    """"references" (cited within the topic's works) or "citations" (stored counts)."""
    params: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def is_survey(work: Work) -> str | None:
    """Why ``work`` counts as a survey (None when it does not)."""
    if (work.type or "").lower() == "review":
        return "a review (its type)"
    if work.title and (m := _SURVEY.search(work.title)):
        return f"'{m.group(0).lower()}' in the title"
    return None


def _item(section: str, w: Work, relevance: float | None, reason: str) -> ReadingItem:
    return ReadingItem(
        section=section,
        rank=0,
        work_id=w.id,
        title=w.title,
        year=w.publication_year,
        venue=w.venue,
        doi=w.doi,
        type=w.type,
        cited_by_count=w.cited_by_count,
        relevance=round(relevance, 6) if relevance is not None else None,
        reason=reason,
    )


def central_works(
    topic: list[Work], stored: dict[str, Work], min_cites: int, relevance: dict[str, float]
) -> list[tuple[str, int, float]]:
    """(work id, how many topic works cite it, the sum of their relevance) for stored
    works cited by at least ``min_cites`` of ``topic``; the largest sum first, so a
    citation from a work close to the topic counts more than one from its fringe."""
    cites: Counter[str] = Counter()
    weight: Counter[str] = Counter()
    for w in topic:
        for ref in set(w.referenced_works):
            if ref != w.id:
                cites[ref] += 1
                weight[ref] += relevance.get(w.id, 0.0)
    return sorted(
        ((wid, n, weight[wid]) for wid, n in cites.items() if n >= min_cites and wid in stored),
        key=lambda t: (-t[2], -t[1], t[0]),
    )


def reading_list(
    store: Store,
    text: str,
    params: ReadingParams | None = None,
    index: Any = None,
    index_path: str | os.PathLike[str] | None = None,
    reindex: bool = False,
    progress: Progress | None = None,
) -> ReadingList:
    """Surveys first, then the works the topic cites most, then recent works of its
    top researchers; each with the reason it is on the list."""
    from labscout.index.build import load_index
    from labscout.query import Query
    from labscout.rank.find import find
    from labscout.rank.params import RankParams
    from labscout.rank.retrieve import QueryText, retrieve

    t0 = time.perf_counter()
    params = params or ReadingParams()
    text = (text or "").strip()
    if not text:
        raise InputError("nothing to read about", hint='Give a topic: labscout read "topic".')
    if index is None:
        index = load_index(
            store, index_path, on_stale="rebuild" if reindex else "refuse", progress=progress
        )
    got = retrieve(index, [QueryText(text)], RankParams(depth=params.depth))
    ranked = [(index.work_ids[row], s) for row, s in got.ranked()][: params.depth]
    relevance = dict(ranked)
    topic = store.get_works([wid for wid, _ in ranked])
    place = {wid: i for i, (wid, _) in enumerate(ranked, start=1)}
    items: list[ReadingItem] = []
    seen: set[str] = set()

    for w in topic[: params.survey_depth]:
        if len([i for i in items if i.section == "surveys"]) >= params.n_surveys:
            break
        why = is_survey(w)
        if why:
            cited = f"; cited {w.cited_by_count:,} times" if w.cited_by_count else ""
            reason = f"survey: {why}; #{place[w.id]} of the topic's works by relevance{cited}"
            items.append(_item("surveys", w, relevance[w.id], reason))
            seen.add(w.id)

    refs = {r for w in topic for r in w.referenced_works}
    basis = "references" if refs else "citations"
    if refs:
        stored = {w.id: w for w in store.get_works(sorted(refs))}
        n_topic = len(topic)
        for wid, n, _ in central_works(topic, stored, params.min_cites, relevance):
            if len([i for i in items if i.section == "central"]) >= params.n_central:
                break
            if wid in seen:
                continue
            w = stored[wid]
            reason = f"central: cited by {n} of the topic's {n_topic} most relevant works"
            items.append(_item("central", w, relevance.get(wid), reason))
            seen.add(wid)
    else:
        pool = [w for w in topic[: params.survey_depth] if w.id not in seen and w.cited_by_count]
        pool.sort(key=lambda w: (-(w.cited_by_count or 0), w.id))
        for k, w in enumerate(pool[: params.n_central], start=1):
            reason = (
                f"central: cited {w.cited_by_count:,} times (stored count), #{k} by citations "
                f"among the topic's {params.survey_depth} most relevant works (the store has "
                "no reference lists for them)"
            )
            items.append(_item("central", w, relevance[w.id], reason))
            seen.add(w.id)

    people = find(
        store,
        Query(text=text, top=params.n_people),
        params=RankParams(n_evidence=10),
        index=index,
    )
    wanted = [e.work.work_id for m in people.matches for e in m.evidence]
    by_id = {w.id: w for w in store.get_works(wanted)}
    for m in people.matches:
        evidence = sorted(
            m.evidence, key=lambda e: (-(e.work.year or 0), -e.work.score, e.work.work_id)
        )
        n = 0
        for e in evidence:
            if n >= params.per_person:
                break
            w = by_id.get(e.work.work_id)
            if w is None or w.id in seen:
                continue
            reason = (
                f"recent: {w.publication_year or 'undated'} work of {m.name} "
                f"(#{m.rank} researcher for this topic, {e.position} author)"
            )
            items.append(_item("recent", w, relevance.get(w.id, e.work.score), reason))
            seen.add(w.id)
            n += 1

    numbered = tuple(
        ReadingItem(**{**asdict(it), "rank": i}) for i, it in enumerate(items, start=1)
    )
    return ReadingList(
        query={"text": text},
        items=numbered,
        n_topic_works=len(topic),
        central_basis=basis,
        params=asdict(params),
        seconds=round(time.perf_counter() - t0, 4),
    )
