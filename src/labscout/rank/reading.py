"""``reading_list``: what to read first on a topic, each work with why it is there.

Three sections, in this order, no work twice (nor one paper twice: items with the same
normalised title collapse to the better-linked one, :func:`one_per_title`):

1. **surveys**: among the topic's works (below), those whose OpenAlex type
   is ``review`` or whose title says survey, review, tutorial or overview;
   most relevant first.
2. **central**: the works the topic's own works cite most (counted from their
   ``referenced_works``, each citation weighted by the citing work's
   relevance; only works in the store can be listed), cited by at least
   ``min_cites`` of them, **and relevant to the topic themselves**: among the
   store's ``relevant`` works most relevant to the text. When the topic's
   works carry no reference lists (paper lists, DBLP), the most cited of the
   topic's works instead, by their stored citation count, and the reason says so.
3. **recent**: the latest works on the topic of the ``n_people`` researchers
   ``find`` ranks first, up to ``per_person`` each.

The topic's works are the works retrieved for the text (BM25 and embeddings,
fused as in ``find``), most relevant first. How many count scales with the
store: ``share`` of the indexed works, at least ``min_works``, at most
``depth`` for the topic's works (``survey_depth`` for surveys) and
``relevant_depth`` for the relevance cut of central works. On a 200-work
store that is 20 works, so a work cited across the whole store but about
something else (a prover's benchmark, a topic model) is no longer "central"
for graph neural networks; on a large store the caps apply.

Every item carries a link (:func:`labscout.links.work_link`: DOI, arXiv,
OpenAlex, ... only http(s)) and its authors, so the list exports as BibTeX
(:meth:`ReadingList.to_bibtex`, ``read --format bib``).
"""

from __future__ import annotations

import math
import os
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from labscout.errors import InputError
from labscout.links import work_link
from labscout.progress import Progress
from labscout.rank.queries import normalize_title
from labscout.records import Work
from labscout.results import JsonResult
from labscout.store import Store

_SURVEY = re.compile(r"\b(survey|review|tutorial|overview)s?\b", re.I)


@dataclass(frozen=True)
class ReadingParams:
    depth: int = 300
    """The topic's works: at most this many retrieved works, most relevant first."""
    survey_depth: int = 100
    """Surveys (and the fallback for central works) come from at most this many of the
    most relevant works."""
    share: float = 0.1
    """The topic's works, the surveys' pool and the relevance cut of central works are
    this share of the indexed works (then bounded by ``min_works`` and the depths)."""
    min_works: int = 20
    """...and at least this many works (all of them on a smaller store)."""
    relevant_depth: int = 1000
    """A central work must be among this many works most relevant to the text (at most;
    ``share`` of the store, at least ``min_works``)."""
    n_surveys: int = 5
    n_central: int = 10
    min_cites: int = 2
    """A central work is cited by at least this many of the topic's works."""
    n_people: int = 5
    per_person: int = 1
    fusion: str = "weighted"
    """How BM25 and embedding scores of works are fused to pick the topic's works:
    ``weighted`` (0.3 BM25 / 0.7 embeddings over min-max scaled scores). Not find's
    ``power`` fusion, which is tuned to let works vote for researchers (issue 18) and
    drops works far below the query's best match; a reading list wants the topic's
    breadth, so its works keep the fusion they were chosen with."""

    def scaled(self, n_indexed: int, cap: int) -> int:
        """``share`` of ``n_indexed`` works, at least ``min_works``, at most ``cap``."""
        return max(1, min(cap, max(self.min_works, math.ceil(self.share * n_indexed))))


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
    url: str
    """Where to read it: DOI, arXiv, OpenAlex... (:func:`labscout.links.work_link`)."""
    link_basis: str
    """What the link was built from: doi, arxiv, openalex, openreview, dblp, s2, site or
    search (a title search, when the store knows no id that links)."""
    authors: tuple[str, ...] = ()
    """Author names in order (display names, else the names on the paper)."""


@dataclass(frozen=True)
class ReadingList(JsonResult):
    query: dict[str, Any]
    items: tuple[ReadingItem, ...]
    n_topic_works: int
    central_basis: str
    """"references" (cited within the topic's works) or "citations" (stored counts)."""
    params: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    n_relevant: int = 0
    """Central works are among this many works most relevant to the text."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_bibtex(self) -> str:
        """The items as BibTeX entries, in reading order (:func:`labscout.bibtex.to_bibtex`)."""
        from labscout.bibtex import to_bibtex

        return to_bibtex(self.items)


def is_survey(work: Work) -> str | None:
    """Why ``work`` counts as a survey (None when it does not)."""
    if (work.type or "").lower() == "review":
        return "a review (its type)"
    if work.title and (m := _SURVEY.search(work.title)):
        return f"'{m.group(0).lower()}' in the title"
    return None


def _authors(store: Store, w: Work) -> tuple[str, ...]:
    """Author names in order: as printed on the paper, else the stored display name."""
    ships = sorted(w.authorships, key=lambda a: a.position_index)
    missing = [a.author_id for a in ships if not a.raw_author_name]
    names = store.names_or_raw(missing) if missing else {}
    return tuple(a.raw_author_name or names.get(a.author_id, a.author_id) for a in ships)


def _item(store: Store, section: str, w: Work, relevance: float | None, reason: str) -> ReadingItem:
    url, basis = work_link(w)
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
        url=url,
        link_basis=basis,
        authors=_authors(store, w),
    )


def central_works(
    topic: list[Work], stored: dict[str, Work], min_cites: int, relevance: dict[str, float]
) -> list[tuple[str, int, float]]:
    """(work id, how many topic works cite it, the sum of their relevance) for stored
    works cited by at least ``min_cites`` of ``topic``; the largest sum first, so a
    citation from a work close to the topic counts more than one from its fringe."""
    cites: Counter[str] = Counter()
    weight: dict[str, float] = {}
    for w in topic:
        for ref in set(w.referenced_works):
            if ref != w.id:
                cites[ref] += 1
                weight[ref] = weight.get(ref, 0.0) + relevance.get(w.id, 0.0)
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
    top researchers; each with the reason it is on the list and its link."""
    from labscout.index.build import load_index
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
    n_indexed = len(index.work_ids)
    n_topic = params.scaled(n_indexed, params.depth)
    n_relevant = params.scaled(n_indexed, params.relevant_depth)
    works_params = RankParams(depth=max(n_topic, n_relevant), fusion=params.fusion,
                              lexical_weight=0.3, dense_weight=0.7)  # fmt: skip
    got = retrieve(index, [QueryText(text)], works_params)
    ranked = [(index.work_ids[row], s) for row, s in got.ranked()]
    relevance = dict(ranked[:n_relevant])
    topic = store.get_works([wid for wid, _ in ranked[:n_topic]])
    place = {wid: i for i, (wid, _) in enumerate(ranked, start=1)}
    pool = topic[: params.scaled(n_indexed, params.survey_depth)]

    items = _surveys(store, pool, relevance, place, params)
    seen = {i.work_id for i in items}
    basis = "references" if any(w.referenced_works for w in topic) else "citations"
    if basis == "references":
        items += _central(store, topic, relevance, place, seen, params)
    else:
        items += _most_cited(store, pool, relevance, seen, params)
    seen |= {i.work_id for i in items}
    items += _recent(store, index, text, relevance, seen, params)

    numbered = tuple(
        ReadingItem(**{**asdict(it), "rank": i})
        for i, it in enumerate(one_per_title(items), start=1)
    )
    return ReadingList(
        query={"text": text},
        items=numbered,
        n_topic_works=len(topic),
        central_basis=basis,
        params=asdict(params),
        seconds=round(time.perf_counter() - t0, 4),
        n_relevant=len(relevance),
    )


# how directly a link reaches the paper, best first (the order of labscout.links.work_link)
LINK_ORDER = ("doi", "arxiv", "openalex", "openreview", "dblp", "s2", "site", "search")


def one_per_title(items: Sequence[ReadingItem]) -> list[ReadingItem]:
    """One item a paper: items whose normalised titles are equal (one paper listed by two
    venues, e.g. its ICML and ICLR versions in the paper lists) collapse to the one with
    the better link (:data:`LINK_ORDER`; the earlier one on a tie), which keeps its own
    place, section and reason. An item with no title words is never collapsed."""

    def link_rank(it: ReadingItem) -> int:
        return LINK_ORDER.index(it.link_basis) if it.link_basis in LINK_ORDER else len(LINK_ORDER)

    best: dict[str, int] = {}
    keys = [normalize_title(it.title or "") for it in items]
    for k, (key, it) in enumerate(zip(keys, items, strict=True)):
        if key and (key not in best or link_rank(it) < link_rank(items[best[key]])):
            best[key] = k
    return [it for k, (key, it) in enumerate(zip(keys, items, strict=True))
            if not key or best[key] == k]  # fmt: skip


def _surveys(
    store: Store,
    pool: Sequence[Work],
    relevance: dict[str, float],
    place: dict[str, int],
    params: ReadingParams,
) -> list[ReadingItem]:
    out: list[ReadingItem] = []
    for w in pool:
        if len(out) >= params.n_surveys:
            break
        why = is_survey(w)
        if why:
            cited = f"; cited {w.cited_by_count:,} times" if w.cited_by_count else ""
            reason = f"survey: {why}; #{place[w.id]} of the topic's works by relevance{cited}"
            out.append(_item(store, "surveys", w, relevance.get(w.id), reason))
    return out


def _central(
    store: Store,
    topic: Sequence[Work],
    relevance: dict[str, float],
    place: dict[str, int],
    seen: set[str],
    params: ReadingParams,
) -> list[ReadingItem]:
    """Works the topic cites most that are themselves among the relevant works."""
    refs = sorted({r for w in topic for r in w.referenced_works} & set(relevance))
    stored = {w.id: w for w in store.get_works(refs)}
    out: list[ReadingItem] = []
    for wid, n, _ in central_works(list(topic), stored, params.min_cites, relevance):
        if len(out) >= params.n_central:
            break
        if wid in seen:
            continue
        reason = (
            f"central: cited by {n} of the topic's {len(topic)} most relevant works; "
            f"#{place[wid]} by relevance (within the {len(relevance)} most relevant)"
        )
        out.append(_item(store, "central", stored[wid], relevance.get(wid), reason))
    return out


def _most_cited(
    store: Store,
    pool: Sequence[Work],
    relevance: dict[str, float],
    seen: set[str],
    params: ReadingParams,
) -> list[ReadingItem]:
    """The fallback for central works: the pool's most cited works (stored counts)."""
    cited = [w for w in pool if w.id not in seen and w.cited_by_count]
    cited.sort(key=lambda w: (-(w.cited_by_count or 0), w.id))
    return [
        _item(
            store,
            "central",
            w,
            relevance.get(w.id),
            f"central: cited {w.cited_by_count:,} times (stored count), #{k} by citations "
            f"among the topic's {len(pool)} most relevant works (the store has no reference "
            "lists for them)",
        )
        for k, w in enumerate(cited[: params.n_central], start=1)
    ]


def _recent(
    store: Store,
    index: Any,
    text: str,
    relevance: dict[str, float],
    seen: set[str],
    params: ReadingParams,
) -> list[ReadingItem]:
    """The latest topic works of the researchers ``find`` ranks first."""
    from labscout.query import Query
    from labscout.rank.find import find
    from labscout.rank.params import RankParams

    people = find(
        store, Query(text=text, top=params.n_people), params=RankParams(n_evidence=10),
        index=index,
    )  # fmt: skip
    wanted = [e.work.work_id for m in people.matches for e in m.evidence]
    by_id = {w.id: w for w in store.get_works(wanted)}
    out: list[ReadingItem] = []
    taken = set(seen)
    for m in people.matches:
        evidence = sorted(
            m.evidence, key=lambda e: (-(e.work.year or 0), -e.work.score, e.work.work_id)
        )
        n = 0
        for e in evidence:
            if n >= params.per_person:
                break
            w = by_id.get(e.work.work_id)
            if w is None or w.id in taken:
                continue
            reason = (
                f"recent: {w.publication_year or 'undated'} work of {m.name} "
                f"(#{m.rank} researcher for this topic, {e.position} author)"
            )
            out.append(_item(store, "recent", w, relevance.get(w.id, e.work.score), reason))
            taken.add(w.id)
            n += 1
    return out
