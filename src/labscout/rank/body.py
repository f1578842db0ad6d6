"""Body of work: how close each top candidate's whole body of work comes to the query
(issue 18, session 3).

``find`` ranks researchers by the works it retrieved (:mod:`labscout.rank.aggregate`)
and, for long queries, by their word profiles (:mod:`labscout.rank.profiles`). This
module looks once more at the best ``body_candidates`` of that ranking, through the
embeddings: for each of them, the cosine of the query to *every* one of their works
in the store (not only the retrieved ones), and the mean of the ``body_top`` best,
counting a missing work as 0. A researcher with three works close to the query gets
about their cosine; one with a single close work a third of it. That score, over the
query's best candidate's and raised to ``body_power``, is added with ``body_weight``
to the score so far, in units of the best researcher's score (1 after the profile
blend, which makes scores relative). Researchers below the candidates keep their
order and their scores, below them.

With several query texts (liked works, ``--mine``), a researcher's score is the mean
over the texts. Everything needed is in the index (the vectors) and in the table of who
wrote which row (:func:`labscout.rank.profiles.author_works`), so this costs one small
matrix product.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from labscout.index.build import SearchIndex
from labscout.rank.aggregate import AuthorScore
from labscout.rank.params import RankParams
from labscout.rank.profiles import AuthorWorks


def top_mean_padded(values: np.ndarray, groups: np.ndarray, n_groups: int, k: int) -> np.ndarray:
    """Per group, the sum of its ``k`` largest ``values`` divided by ``k`` (a group with
    fewer than ``k`` values counts 0 for the missing ones). ``groups[i]`` is the group of
    ``values[i]``, in ``0 .. n_groups - 1``; a group without values gets 0."""
    out = np.zeros(n_groups, dtype=np.float64)
    if len(values) == 0 or k < 1:
        return out
    order = np.lexsort((-values, groups))
    g, v = groups[order], values[order]
    starts = np.searchsorted(g, np.arange(n_groups))
    keep = (np.arange(len(g)) - starts[g]) < k
    np.add.at(out, g[keep], v[keep])
    return out / k


def body_scores(
    index: SearchIndex,
    works: AuthorWorks,
    query_vectors: np.ndarray,
    author_ids: Sequence[str],
    params: RankParams,
) -> np.ndarray:
    """Each author's body-of-work similarity to the query (mean over the query's
    texts); authors with no work in the index get 0."""
    n = len(author_ids)
    known = [(i, works.row_of[a]) for i, a in enumerate(author_ids) if a in works.row_of]
    if not known or len(query_vectors) == 0:
        return np.zeros(n)
    which = np.array([i for i, _ in known])
    sub = works.works_of[[r for _, r in known]]
    rows = sub.indices
    groups = np.repeat(np.arange(len(known)), np.diff(sub.indptr))
    keep = index.live[rows]  # works removed from the store count for nobody
    rows, groups = rows[keep], groups[keep]
    if len(rows) == 0:
        return np.zeros(n)
    sims = index.row_vectors(rows.tolist()) @ np.asarray(query_vectors, np.float32).T
    got = np.zeros(len(known))
    for col in range(sims.shape[1]):
        got += top_mean_padded(sims[:, col].astype(np.float64), groups, len(known), params.body_top)
    out = np.zeros(n)
    out[which] = got / sims.shape[1]
    return out


def add_body(
    ranked: Sequence[AuthorScore],
    body: np.ndarray,
    params: RankParams,
    scaled: bool,
) -> list[AuthorScore]:
    """The first ``len(body)`` researchers of ``ranked`` (the candidates) get
    ``body_weight * (body / best body) ** body_power`` added to their score, in units of
    the best score so far (1 when ``scaled``: :func:`labscout.rank.profiles.blend` made
    the scores relative already; else the best works score, so that the body term weighs
    the same against the best researcher either way). Re-sorted; the researchers below
    the candidates keep their order and their scores."""
    if not ranked:
        return []
    k = len(body)
    best = float(body.max()) if k else 0.0
    if best <= 0:
        return list(ranked)
    unit = params.body_weight * (1.0 if scaled else max(s.score for s in ranked))
    head = [
        AuthorScore(
            s.author_id,
            s.score + unit * (max(float(b), 0.0) / best) ** params.body_power,
            s.contributions,
        )
        for s, b in zip(ranked[:k], body, strict=False)
    ]
    head.sort(key=lambda s: (-s.score, s.author_id))
    return head + list(ranked[k:])
