"""Small pure scoring functions shared by `find`, `affinity` and the ladder.

Every function takes plain arrays or mappings and returns new ones; nothing
here reads the store or a model.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np

RRF_K = 60
"""Reciprocal-rank fusion constant: a document at rank r adds 1 / (RRF_K + r)."""


def rrf_fuse(rankings: Sequence[Sequence[Hashable]], k: int = RRF_K) -> dict[Hashable, float]:
    """Reciprocal-rank fusion of ranked lists (best first); ranks start at 1."""
    out: dict[Hashable, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            out[key] = out.get(key, 0.0) + 1.0 / (k + rank)
    return out


def minmax(scores: Mapping[Hashable, float]) -> dict[Hashable, float]:
    """Scale scores to [0, 1]; all-equal scores become 1.0 (an empty map stays empty)."""
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    if hi == lo:
        return dict.fromkeys(scores, 1.0)
    return {key: (v - lo) / (hi - lo) for key, v in scores.items()}


def weighted_fuse(
    score_maps: Sequence[Mapping[Hashable, float]], weights: Sequence[float]
) -> dict[Hashable, float]:
    """Weighted sum of min-max normalised scores; a key missing from a map adds 0 there."""
    if len(score_maps) != len(weights):
        raise ValueError("one weight per score map")
    out: dict[Hashable, float] = {}
    for scores, w in zip(score_maps, weights, strict=True):
        for key, v in minmax(scores).items():
            out[key] = out.get(key, 0.0) + w * v
    return out


def top_k_mean(sims: np.ndarray, k: int = 3, axis: int = -1) -> np.ndarray:
    """Mean of the ``k`` largest values along ``axis`` (all of them when fewer than k).

    With ``k=1`` this is the max. Used to score a paper against a profile of
    papers: the mean of its top-k similarities to the profile.
    """
    sims = np.asarray(sims, dtype=np.float32)
    n = sims.shape[axis]
    if n == 0:
        shape = list(sims.shape)
        del shape[axis]
        return np.zeros(shape, dtype=np.float32)
    k = min(k, n)
    part = -np.partition(-sims, k - 1, axis=axis)
    return np.take(part, range(k), axis=axis).mean(axis=axis)


def weighted_fuse_arrays(
    arrays: Sequence[np.ndarray], weights: Sequence[float], mask: np.ndarray | None = None
) -> np.ndarray:
    """Weighted sum of same-shaped score arrays, each min-max scaled over its ``mask`` entries.

    The array version of :func:`weighted_fuse` for dense score matrices
    (e.g. submissions x reviewers); entries outside ``mask`` come out 0, and
    an array that is constant over ``mask`` (it tells nothing apart) adds 0.
    """
    if len(arrays) != len(weights):
        raise ValueError("one weight per score array")
    if not arrays:
        raise ValueError("nothing to fuse")
    shape = np.shape(arrays[0])
    keep = np.ones(shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    out = np.zeros(shape, dtype=np.float64)
    if not keep.any():
        return out
    for arr, w in zip(arrays, weights, strict=True):
        a = np.asarray(arr, dtype=np.float64)
        if a.shape != shape:
            raise ValueError("score arrays differ in shape")
        lo, hi = a[keep].min(), a[keep].max()
        if hi > lo:
            out += w * np.where(keep, (a - lo) / (hi - lo), 0.0)
    return out
