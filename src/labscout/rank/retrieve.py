"""Retrieve works for a query from both indexes and fuse the two lists into one score.

A query is one or more texts (free text, or the works one likes or wrote).
Each text is run against BM25 and the embeddings; the two ranked lists are
fused (:func:`fuse`); a work's score for the whole query is the mean of its
fused scores over the texts, so every text counts the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from labscout.index.build import SearchIndex
from labscout.index.vectors import ExactIndex, top_k_rows
from labscout.rank.params import RankParams
from labscout.rank.scoring import minmax, rrf_fuse, weighted_fuse


@dataclass(frozen=True)
class QueryText:
    """One text of a query; ``row`` is its index row when it is a stored work
    (its stored vector is reused instead of embedding it again); ``vector`` is
    its embedding when the caller already has it."""

    text: str
    row: int | None = None
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass
class Retrieved:
    """Index rows with their fused score for the whole query, and their best ranks."""

    scores: dict[int, float] = field(default_factory=dict)
    lexical_rank: dict[int, int] = field(default_factory=dict)
    dense_rank: dict[int, int] = field(default_factory=dict)
    query_vectors: np.ndarray | None = None
    """The query texts' unit vectors, one row a text (None when the fusion used no
    embeddings)."""

    def ranked(self) -> list[tuple[int, float]]:
        return sorted(self.scores.items(), key=lambda kv: (-kv[1], kv[0]))


def fuse(
    lexical: Sequence[tuple[int, float]],
    dense: Sequence[tuple[int, float]],
    params: RankParams,
) -> dict[int, float]:
    """Fuse two ranked ``(key, score)`` lists (best first) into scores in [0, 1].

    ``power`` (the default): :func:`power_fuse`.
    ``rrf``: reciprocal-rank fusion, divided by its largest possible value
    (first in both lists), so the top of both lists scores 1. ``weighted``:
    ``lexical_weight`` x min-max(BM25) + ``dense_weight`` x min-max(cosine),
    divided by the sum of the weights. ``lexical`` / ``dense``: one list alone,
    min-max scaled.
    """
    if params.fusion == "power":
        return power_fuse(lexical, dense, params)
    if params.fusion == "rrf":
        raw = rrf_fuse([[k for k, _ in lexical], [k for k, _ in dense]], k=params.rrf_k)
        top = 2.0 / (params.rrf_k + 1)
        return {k: v / top for k, v in raw.items()}
    if params.fusion == "weighted":
        total = params.lexical_weight + params.dense_weight
        raw = weighted_fuse(
            [dict(lexical), dict(dense)], [params.lexical_weight, params.dense_weight]
        )
        return {k: v / total for k, v in raw.items()} if total > 0 else raw
    return minmax(dict(lexical if params.fusion == "lexical" else dense))


def power_fuse(
    lexical: Sequence[tuple[int, float]],
    dense: Sequence[tuple[int, float]],
    params: RankParams,
) -> dict[int, float]:
    """``power`` fusion: each score over the best in its list, raised to a power
    (``lexical_power``, ``dense_power``), then the weighted mean of the two.

    Dividing by the best (not min-max) keeps a work's score about how close it comes
    to the best match of this query, whatever the list's depth; the power keeps the
    long tail of works that share a word or two with the query from adding up.
    """
    total = params.lexical_weight + params.dense_weight
    if total <= 0:
        return {}
    out: dict[int, float] = {}
    for hits, weight, power in ((lexical, params.lexical_weight, params.lexical_power),
                                (dense, params.dense_weight, params.dense_power)):  # fmt: skip
        best = max((s for _, s in hits), default=0.0)
        if best <= 0 or weight <= 0:
            continue
        for key, s in hits:
            if s > 0:
                out[key] = out.get(key, 0.0) + weight * (s / best) ** power / total
    return out


def _lexical_top(
    index: SearchIndex, text: str, allowed: np.ndarray, depth: int
) -> list[tuple[int, float]]:
    scores = index.lexical.scores(text)
    scores = np.where(allowed & (scores > 0), scores, -np.inf)[None, :]
    rows, vals = top_k_rows(scores, depth)
    return [(int(r), float(v)) for r, v in zip(rows[0], vals[0], strict=True) if r >= 0]


def _dense_top(
    index: SearchIndex, qvecs: np.ndarray, allowed: np.ndarray, depth: int
) -> list[list[tuple[int, float]]]:
    if isinstance(index.vectors, ExactIndex):
        sims = index.vectors.similarities(qvecs)
        sims[:, ~allowed] = -np.inf
        rows, vals = top_k_rows(sims, depth)
    else:  # approximate index: ask for more, then drop rows the filter leaves out
        share = max(float(allowed.mean()), 1e-3)
        rows, vals = index.vectors.search(qvecs, min(int(depth / share) + depth, len(allowed)))
    out = []
    for rr, vv in zip(rows, vals, strict=True):
        hits = [(int(r), float(v)) for r, v in zip(rr, vv, strict=True) if r >= 0 and allowed[r]]
        out.append(hits[:depth])
    return out


def retrieve(
    index: SearchIndex,
    queries: Sequence[QueryText],
    params: RankParams,
    allowed: np.ndarray | None = None,
) -> Retrieved:
    """Score index rows for ``queries``; ``allowed`` (a boolean row mask) filters rows."""
    out = Retrieved()
    if not queries:
        return out
    mask = index.live.copy() if allowed is None else (index.live & allowed)
    need_dense = params.fusion != "lexical"
    need_lex = params.fusion != "dense"
    dense_lists: list[list[tuple[int, float]]] = [[] for _ in queries]
    if need_dense:
        qvecs = np.zeros((len(queries), index.embeddings.shape[1]), np.float32)
        for i, q in enumerate(queries):
            if q.vector is not None:
                qvecs[i] = q.vector
        stored = [i for i, q in enumerate(queries) if q.vector is None and q.row is not None]
        if stored:
            qvecs[stored] = index.row_vectors([queries[i].row for i in stored])  # type: ignore[misc]
        fresh = [i for i, q in enumerate(queries) if q.vector is None and q.row is None]
        if fresh:
            qvecs[fresh] = index.embed_queries([queries[i].text for i in fresh])
        dense_lists = _dense_top(index, qvecs, mask, params.depth)
        out.query_vectors = qvecs
    n = len(queries)
    for q, dense in zip(queries, dense_lists, strict=True):
        lexical = _lexical_top(index, q.text, mask, params.depth) if need_lex else []
        for rank, (row, _) in enumerate(lexical, start=1):
            out.lexical_rank[row] = min(out.lexical_rank.get(row, rank), rank)
        for rank, (row, _) in enumerate(dense, start=1):
            out.dense_rank[row] = min(out.dense_rank.get(row, rank), rank)
        for row, s in fuse(lexical, dense, params).items():
            out.scores[row] = out.scores.get(row, 0.0) + s / n
    return out
