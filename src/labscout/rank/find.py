"""``find``: who works on exactly this? The one library call behind `labscout find`."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import numpy as np

from labscout.errors import InputError, NotFoundError
from labscout.filters import Filters, filter_authors
from labscout.index.build import SearchIndex, load_index
from labscout.people import normalize_orcid, person_of, ref_kind
from labscout.progress import Progress
from labscout.rank.aggregate import aggregate
from labscout.rank.explain import explain
from labscout.rank.params import RankParams
from labscout.rank.queries import resolve_author, resolve_bib, resolve_work
from labscout.rank.retrieve import QueryText, retrieve
from labscout.records import Authorship, Work
from labscout.results import FindResult, WorkHit
from labscout.store import Store

N_WORK_HITS = 20
"""Retrieved works listed in a FindResult (besides the evidence of each researcher)."""


def _works_for_ranking(store: Store, ids: list[str]) -> dict[str, Work]:
    """The fields ranking and evidence need (no abstracts, topics or references): fast."""
    if not ids:
        return {}
    aships: dict[str, list[Authorship]] = {}
    for r in store.con.execute(
        "SELECT work_id, author_id, author_position, position_index, is_corresponding, "
        "raw_author_name, raw_affiliation_strings, institution_ids FROM authorships "
        "WHERE work_id IN (SELECT unnest(?)) ORDER BY work_id, position_index",
        [ids],
    ).fetchall():
        aships.setdefault(r[0], []).append(
            Authorship(r[1], r[2] or "middle", r[3] or 0, bool(r[4]), r[5], tuple(r[6] or ()),
                       tuple(r[7] or ()))
        )  # fmt: skip
    return {
        wid: Work(
            id=wid,
            title=title or "",
            publication_year=year,
            venue=venue,
            doi=doi,
            authorships=tuple(aships.get(wid, ())),
        )
        for wid, title, year, venue, doi in store.con.execute(
            "SELECT id, title, publication_year, venue, doi FROM works "
            "WHERE id IN (SELECT unnest(?))",
            [ids],
        ).fetchall()
    }


def find(
    store: Store,
    text: str | None = None,
    like: Sequence[str] = (),
    like_bib: str | os.PathLike[str] | None = None,
    mine: str | None = None,
    mine_orcid: str | None = None,
    exclude_coauthors: bool = False,
    top: int = 10,
    since: int | None = None,
    filters: Filters | None = None,
    params: RankParams | None = None,
    index: SearchIndex | None = None,
    index_path: str | os.PathLike[str] | None = None,
    reindex: bool = False,
    reach_from: Sequence[str] = (),
    reach_k: int = 1,
    progress: Progress | None = None,
) -> FindResult:
    """Rank researchers for a query and attach the works that justify each rank.

    The query is any mix of free ``text``, works one likes (``like``: OpenAlex
    ids, DOIs, arXiv ids; ``like_bib``: a BibTeX file) and one author's own
    works (``mine``: an author id, or ``mine_orcid``). With ``mine``, that
    author is left out of the results, and with ``exclude_coauthors`` their
    co-authors too. ``since`` keeps only works from that year on; ``filters``
    keep researchers by activity and current institution
    (:func:`labscout.filters.filter_authors`). ``reach_from`` (author ids,
    ORCIDs or exact names of people the user knows) adds, for every match, the
    ``reach_k`` best co-author paths from them (:func:`labscout.graph.reach`). A missing
    or stale index is refused with a hint, or rebuilt with ``reindex``.
    """
    t0 = time.perf_counter()
    params = params or RankParams()
    if top < 1:
        raise InputError("--top must be at least 1")
    text = (text or "").strip() or None
    query_works: list[str] = []
    unmatched: tuple[str, ...] = ()
    for ref in like:
        wid = resolve_work(store, ref)
        if wid not in query_works:
            query_works.append(wid)
    if like_bib is not None:
        bib = resolve_bib(store, like_bib)
        if not bib.work_ids:
            raise NotFoundError(
                f"none of the {bib.n_entries} entries of {like_bib} matches a stored work",
                hint="Entries match by DOI, arXiv id or title; ingest the papers first.",
            )
        query_works += [w for w in bib.work_ids if w not in query_works]
        unmatched = bib.unmatched
    excluded: tuple[str, ...] = ()
    if mine or mine_orcid:
        author = resolve_author(store, mine, mine_orcid)
        query_works += [w for w in author.work_ids if w not in query_works]
        excluded = author.author_ids + (author.coauthor_ids if exclude_coauthors else ())
    if text is None and not query_works:
        raise InputError(
            "nothing to search for",
            hint='Give a text (labscout find "graph neural networks"), --like, --like-bib '
            "or --mine.",
        )

    if index is None:
        index = load_index(
            store, index_path, on_stale="rebuild" if reindex else "refuse", progress=progress
        )
    queries = [QueryText(text)] if text else []
    stored = {w.id: w for w in store.get_works(query_works)}
    for wid in query_works:
        w = stored.get(wid)
        if w is None:  # an authorship that points at a work the store does not hold
            continue
        text_of = f"{w.title}. {w.abstract}" if w.abstract else w.title
        queries.append(QueryText(text_of, index.row_of.get(wid)))

    allowed = None
    if since is not None:
        allowed = np.zeros(len(index.work_ids), dtype=bool)
        recent = {
            r[0]
            for r in store.con.execute(
                "SELECT id FROM works WHERE publication_year >= ?", [since]
            ).fetchall()
        }
        for i, wid in enumerate(index.work_ids):
            allowed[i] = wid in recent
    got = retrieve(index, queries, params, allowed)
    by_work = {index.work_ids[row]: s for row, s in got.scores.items()}
    records = _works_for_ranking(store, list(by_work))
    author_ids = sorted({a.author_id for w in records.values() for a in w.authorships})
    ranked = aggregate(by_work, records, params, excluded, person_of(store, author_ids))
    if filters is not None and not filters.empty:
        ranked = filter_authors(store, ranked, filters)

    hits: dict[str, WorkHit] = {}
    for row, score in got.ranked():
        w = records.get(index.work_ids[row])
        if w is None:
            continue
        hits[w.id] = WorkHit(
            work_id=w.id,
            title=w.title,
            year=w.publication_year,
            venue=w.venue,
            score=round(score, 6),
            lexical_rank=got.lexical_rank.get(row),
            dense_rank=got.dense_rank.get(row),
            doi=w.doi,
        )
    matches = explain(store, ranked, hits, records, params, top)
    query = {
        "text": text,
        "like": list(like),
        "like_bib": str(like_bib) if like_bib is not None else None,
        "mine": mine,
        "mine_orcid": mine_orcid,
        "exclude_coauthors": exclude_coauthors,
        "query_works": query_works,
        "top": top,
        "since": since,
        "filters": filters.to_dict() if filters is not None else None,
    }
    return FindResult(
        query=query,
        matches=matches,
        works=tuple(list(hits.values())[:N_WORK_HITS]),
        excluded_authors=excluded,
        unmatched=unmatched,
        params=params.to_dict(),
        index={
            "path": str(index.path),
            "embedder": index.embedder_name,
            "n_works": len(index),
            "vectors": index.manifest["vectors"]["kind"],
            "store_fingerprint": index.manifest["store_fingerprint"],
        },
        seconds=round(time.perf_counter() - t0, 4),
        reach=_reach(store, reach_from, [m.author_id for m in matches], reach_k, progress),
    )


def _reach(
    store: Store,
    known: Sequence[str],
    targets: list[str],
    k: int,
    progress: Progress | None,
) -> dict[str, list[dict]]:
    """Co-author paths from the people the user knows to each matched researcher."""
    if not known or not targets:
        return {}
    from labscout.graph import reach

    found = reach(
        store,
        sources=list(known),
        targets=targets,
        k=k,
        progress=progress,
    )
    return {t: [p.to_dict() for p in paths] for t, paths in found.items()}




def split_people_refs(refs: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """Sort references to people into author ids (and profile URLs), ORCIDs and names, as
    :func:`labscout.people.ref_kind` reads them (any of them may go to
    :func:`labscout.people.resolve_person` as it is)."""
    ids: list[str] = []
    orcids: list[str] = []
    names: list[str] = []
    for ref in (r.strip() for r in refs):
        kind = ref_kind(ref) if ref else None
        if kind == "orcid":
            orcids.append(normalize_orcid(ref) or ref)
        elif kind in ("id", "profile"):
            ids.append(ref)
        elif kind == "name":
            names.append(ref)
    return ids, orcids, names
