"""``find``: who works on exactly this? The one library call behind `labscout find`."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from labscout.errors import InputError, NotFoundError
from labscout.filters import filter_authors
from labscout.index.build import SearchIndex, load_index
from labscout.people import normalize_orcid, person_of, ref_kind
from labscout.progress import Progress
from labscout.query import FIND_TOP, Query
from labscout.rank.aggregate import AuthorScore, aggregate
from labscout.rank.body import add_body, body_scores
from labscout.rank.explain import explain
from labscout.rank.params import RankParams
from labscout.rank.profiles import author_works, blend, long_enough, profiles_for, query_terms
from labscout.rank.queries import AuthorQuery, resolve_author, resolve_bib, resolve_work
from labscout.rank.retrieve import QueryText, Retrieved, retrieve
from labscout.results import FindResult, WorkHit
from labscout.store import Store

N_WORK_HITS = 20
"""Retrieved works listed in a FindResult (besides the evidence of each researcher)."""


def find(
    store: Store,
    query: Query | str,
    params: RankParams | None = None,
    index: SearchIndex | None = None,
    index_path: str | os.PathLike[str] | None = None,
    reindex: bool = False,
    graph: Any = None,
    progress: Progress | None = None,
) -> FindResult:
    """Rank researchers for a :class:`~labscout.query.Query` (or a plain text) and attach
    the works that justify each rank.

    The query is any mix of free ``text``, works one likes (``like``: OpenAlex
    ids, DOIs, arXiv ids; ``like_bib``: a BibTeX file) and one person's own
    works (``mine``). With ``mine``, that person is left out of the results,
    and with ``exclude_coauthors`` their co-authors too. ``since`` keeps only
    works from that year on; ``filters`` keep researchers by activity and
    current institution (:func:`labscout.filters.filter_authors`).
    ``reach_from`` (people the user knows) adds, for every match, the
    ``reach_k`` best co-author paths from them (:func:`labscout.graph.reach`,
    on ``graph`` when given). A missing or stale index is refused with a hint,
    or rebuilt with ``reindex``.
    """
    t0 = time.perf_counter()
    query = Query(text=query) if isinstance(query, str) else query
    params = params or RankParams()
    top = query.top_or(FIND_TOP)
    text = query.text
    query_works, unmatched, excluded = _query_works(store, query)
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

    filters = query.filters
    got = retrieve(index, queries, params, _allowed(store, index, query.since))
    by_work = {index.work_ids[row]: s for row, s in got.scores.items()}
    records = store.works_for_ranking(list(by_work))
    author_ids = sorted({a.author_id for w in records.values() for a in w.authorships})
    ranked = aggregate(by_work, records, params, excluded, person_of(store, author_ids))
    ranked = _researcher_scores(store, index, ranked, queries, got, params)
    ranked, hosts = _filtered(store, ranked, filters)

    hits = _work_hits(got, records, index)
    matches = explain(store, ranked, hits, records, params, top)
    asked = {**query.to_dict(), "top": top, "query_works": query_works}
    return FindResult(
        query=asked,
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
        reach=_reach(
            store, query.reach_from, [m.author_id for m in matches], query.reach_k, graph, progress
        ),
        interns={a: hosts[a].to_dict() for a in (m.author_id for m in matches) if a in hosts},
    )


def _researcher_scores(
    store: Store,
    index: SearchIndex,
    ranked: list[AuthorScore],
    queries: list[QueryText],
    got: Retrieved,
    params: RankParams,
) -> list[AuthorScore]:
    """The works-based ranking with, for long queries, the word profiles blended in
    (:func:`labscout.rank.profiles.blend`), then the top candidates' body of work added
    (:mod:`labscout.rank.body`)."""
    if not ranked:
        return ranked
    terms = query_terms(index, [q.text for q in queries]) if params.profile_weight > 0 else []
    scaled = bool(terms) and long_enough(terms, params)
    if scaled:
        who = [s.author_id for s in ranked]
        ranked = blend(ranked, profiles_for(store, index).scores(terms, who), params)
    if params.body_weight > 0 and got.query_vectors is not None:
        cands = [s.author_id for s in ranked[: params.body_candidates]]
        body = body_scores(index, author_works(store, index), got.query_vectors, cands, params)
        ranked = add_body(ranked, body, params, scaled)
    return ranked


def _query_works(store: Store, query: Query) -> tuple[list[str], tuple[str, ...], tuple[str, ...]]:
    """The works that stand for the query (liked, from a .bib, the user's own), the
    .bib entries that matched nothing, and the authors to leave out (``mine``)."""
    query_works: list[str] = []
    unmatched: tuple[str, ...] = ()
    for ref in query.like:
        wid = resolve_work(store, ref)
        if wid not in query_works:
            query_works.append(wid)
    if query.like_bib is not None:
        bib = resolve_bib(store, query.like_bib)
        if not bib.work_ids:
            raise NotFoundError(
                f"none of the {bib.n_entries} entries of {query.like_bib} matches a stored work",
                hint="Entries match by DOI, arXiv id or title; ingest the papers first.",
            )
        query_works += [w for w in bib.work_ids if w not in query_works]
        unmatched = bib.unmatched
    excluded: tuple[str, ...] = ()
    if query.mine:
        author = resolve_mine(store, query.mine)
        query_works += [w for w in author.work_ids if w not in query_works]
        excluded = author.author_ids + (author.coauthor_ids if query.exclude_coauthors else ())
    return query_works, unmatched, excluded


def query_work_ids(
    store: Store, query: Query
) -> tuple[list[str], tuple[str, ...], tuple[str, ...]]:
    """The works that stand for ``query`` besides its text (liked, from a .bib, the
    user's own), the .bib entries that matched nothing, and the authors ``mine`` leaves
    out: what ``find`` and ``topics`` search from."""
    return _query_works(store, query)


def _filtered(store: Store, ranked: list[Any], filters: Any) -> tuple[list[Any], dict[str, Any]]:
    """``ranked`` kept by ``filters`` (:func:`labscout.filters.filter_authors`; with
    ``hosts_interns`` only intern hosts, :func:`labscout.signals.interns.keep_hosts`),
    and the intern-host signals by researcher (empty without ``hosts_interns``)."""
    if not filters.empty:
        ranked = filter_authors(store, ranked, filters)
    if not filters.hosts_interns:
        return ranked, {}
    from labscout.signals.interns import keep_hosts

    return keep_hosts(store, ranked)


def _allowed(store: Store, index: SearchIndex, since: int | None) -> np.ndarray | None:
    """Which index rows ``since`` keeps (None: every row)."""
    if since is None:
        return None
    recent = store.work_ids_since(since)
    return np.array([wid in recent for wid in index.work_ids], dtype=bool)


def _work_hits(got: Any, records: dict[str, Any], index: SearchIndex) -> dict[str, WorkHit]:
    """The retrieved works, best first, with the scores and ranks that put them there."""
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
    return hits


def _reach(
    store: Store,
    known: Sequence[str],
    targets: list[str],
    k: int,
    graph: Any,
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
        graph=graph,
        progress=progress,
    )
    return {t: [p.to_dict() for p in paths] for t, paths in found.items()}


def resolve_mine(store: Store, ref: str) -> AuthorQuery:
    """The ids, works and co-authors of the person that ``--mine`` names (any reference
    :func:`labscout.people.resolve_person` reads: id, ORCID, profile URL or exact name)."""
    return resolve_author(store, ref)


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
