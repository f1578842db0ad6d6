"""Word profiles: each researcher as the sum of their works' BM25 vectors (issue 18).

``find`` scores works and rolls them up to their authors (:mod:`labscout.rank.aggregate`);
this module adds the other classic view of expert finding, the profile: every
researcher's works, all of them and not only the retrieved ones, summed into one
vector of BM25 term weights (each work's vector scaled to length 1 first, so a long
abstract does not outweigh a short one), and the summed vector scaled to length 1 in
turn. A profile scores a query by the weight it gives the query's distinct words:
high when a researcher's body of work keeps coming back to them.

The profiles of a whole index are built once per process on first use (one sparse
product over the store's authorships) and kept while the index is alive.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from labscout.index.build import SearchIndex
from labscout.rank.aggregate import AuthorScore
from labscout.rank.params import RankParams
from labscout.store import Store
from labscout.store.rank_reads import authorship_pairs


@dataclass(frozen=True)
class AuthorWorks:
    """Who wrote which indexed work: one row per author, one column per index row."""

    row_of: dict[str, int]
    works_of: Any
    """scipy CSR matrix, authors x index rows: 1 where the author wrote the row's work
    (what :mod:`labscout.rank.body` reads each candidate's works from)."""

    @classmethod
    def build(cls, store: Store, index: SearchIndex) -> AuthorWorks:
        import scipy.sparse as sp

        row_of: dict[str, int] = {}
        rows, cols = [], []
        for wid, aid in authorship_pairs(store):
            doc = index.row_of.get(wid)
            if doc is None:
                continue
            rows.append(row_of.setdefault(aid, len(row_of)))
            cols.append(doc)
        who = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, cols)), shape=(len(row_of), len(index.live))
        )
        return cls(row_of, who)


@dataclass(frozen=True)
class AuthorProfiles:
    """Unit-length BM25 profiles, one row per author, stored by term (CSC)."""

    row_of: dict[str, int]
    by_term: Any
    """scipy CSC matrix, authors x terms."""

    @classmethod
    def build(cls, works: AuthorWorks, index: SearchIndex) -> AuthorProfiles:
        import scipy.sparse as sp
        from sklearn.preprocessing import normalize

        docs = normalize(index.lexical.doc_term_matrix().astype(np.float32))
        docs = sp.diags(index.live.astype(np.float32)) @ docs  # dropped rows count for nobody
        return cls(works.row_of, normalize(works.works_of @ docs).tocsc())

    def scores(
        self, term_lists: Sequence[list[int]], author_ids: Iterable[str]
    ) -> dict[str, float]:
        """Each author's profile weight on the query's terms (mean over the query's
        texts; one list of distinct term ids per text); authors without a profile get 0."""
        total = np.zeros(self.by_term.shape[0], dtype=np.float64)
        for terms in term_lists:
            if terms:
                total += np.asarray(self.by_term[:, terms].sum(axis=1)).ravel()
        total /= max(len(term_lists), 1)
        return {a: float(total[self.row_of[a]]) if a in self.row_of else 0.0 for a in author_ids}


def _kept(index: SearchIndex, key: str, make: Callable[[], Any]) -> Any:
    """``index.derived[key]``, made on first use and kept with the index.

    After a build, ``gc.freeze()`` moves every object alive (the index, what was built,
    what the process loaded) out of the cyclic collector's reach: they live as long as
    the process, and without it one ``find`` in ten paid a 150-250 ms full collection
    over them (docs/benchmarks.md, "Expert finding: new defaults (issue 18)").
    """
    with index.derived_lock:
        got = index.derived.get(key)
        if got is None:
            got = index.derived[key] = make()
            gc.collect()
            gc.freeze()
        return got


def author_works(store: Store, index: SearchIndex) -> AuthorWorks:
    """Who wrote which of ``index``'s works (one read of the store's authorships)."""
    return _kept(index, "author_works", lambda: AuthorWorks.build(store, index))


def profiles_for(store: Store, index: SearchIndex) -> AuthorProfiles:
    """The word profiles of ``index``'s authors, built on first use from
    :func:`author_works` and kept with the index."""
    works = author_works(store, index)
    return _kept(index, "author_profiles", lambda: AuthorProfiles.build(works, index))


def query_terms(index: SearchIndex, texts: Sequence[str]) -> list[list[int]]:
    """The distinct indexed terms of each query text."""
    return [index.lexical.term_ids(t) for t in texts]


def long_enough(terms: Sequence[list[int]], params: RankParams) -> bool:
    """Whether the query has ``profile_min_terms`` distinct words (over all its texts)."""
    return len({t for ts in terms for t in ts}) >= params.profile_min_terms


def profile_scores(
    store: Store, index: SearchIndex, texts: Sequence[str], author_ids: Sequence[str]
) -> dict[str, float]:
    """How well each researcher's word profile matches the query ``texts``."""
    return profiles_for(store, index).scores(query_terms(index, texts), author_ids)


def blend(
    ranked: Sequence[AuthorScore], profile: dict[str, float], params: RankParams
) -> list[AuthorScore]:
    """Works-based scores and profile scores, each over the query's best, fused:
    ``work_score / best + profile_weight * (profile / best) ** profile_power``; re-sorted."""
    if not ranked:
        return []
    top = max(s.score for s in ranked) or 1.0
    ptop = max(profile.values(), default=0.0) or 1.0
    w, power = params.profile_weight, params.profile_power
    out = [
        replace(s, score=s.score / top + w * (profile.get(s.author_id, 0.0) / ptop) ** power)
        for s in ranked
    ]
    out.sort(key=lambda s: (-s.score, s.author_id))
    return out
