"""Tiers from a distribution of scores, and each institution's weight in the field.

Tiers: natural breaks (Fisher-Jenks, from the PyPI package jenkspy) of the
logarithm of the scores, tier 1 being the top class. The logarithm because
these scores are heavy-tailed (a few places hold much of a field): breaks of
the raw values would put nearly everyone in the last tier. Without jenkspy,
or with fewer distinct values than tiers, tiers are quantiles of the rank
(tier 1 = the top 1/n of places). :class:`Tiering` says which method ran.

Prestige in the field: over the last ``years`` years of the store (ending at
its latest publication year), an institution's share of the works that have
an author there, and its share of those works' citations; the prestige figure
is the mean of the two shares (the works share alone when nothing is cited).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from labscout.store import Store

TIER_METHODS = ("jenks", "quantiles")


@dataclass(frozen=True)
class Tiering:
    """How tiers were cut: the method that ran, and the lower bound of each tier."""

    method: str
    """"jenks" (natural breaks of log values) or "quantiles" (of the rank)."""
    n_tiers: int
    lower_bounds: tuple[float, ...]
    """The smallest score in tier 1, tier 2, ... (same length as ``counts``)."""
    counts: tuple[int, ...]
    """How many places are in each tier."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _quantile_tiers(order: Sequence[str], n_tiers: int) -> dict[str, int]:
    n = len(order)
    return {key: min(n_tiers, 1 + (i * n_tiers) // n) for i, key in enumerate(order)}


def assign_tiers(
    scores: Mapping[str, float], n_tiers: int = 4, method: str = "jenks"
) -> tuple[dict[str, int], Tiering]:
    """Key -> tier (1 = top) for positive ``scores``; keys with a score <= 0 get the last tier.

    Equal scores always share a tier. Ties in rank order are broken by key.
    """
    if method not in TIER_METHODS:
        raise ValueError(f"tier method must be one of {TIER_METHODS}, not {method!r}")
    if n_tiers < 1:
        raise ValueError("n_tiers must be at least 1")
    positive = {k: v for k, v in scores.items() if v > 0}
    order = sorted(positive, key=lambda k: (-positive[k], k))
    distinct = sorted({positive[k] for k in order}, reverse=True)
    tiers: dict[str, int] = {}
    used = method
    if method == "jenks" and len(distinct) > n_tiers:
        try:
            import jenkspy
        except ImportError:
            used = "quantiles"
        else:
            logs = [math.log(positive[k]) for k in order]
            breaks = jenkspy.jenks_breaks(logs, n_classes=n_tiers)
            # class c holds (breaks[c], breaks[c + 1]]; the first class includes its minimum
            for k, x in zip(order, logs, strict=True):
                c = next(
                    (i for i in range(n_tiers) if x <= breaks[i + 1]),
                    n_tiers - 1,
                )
                tiers[k] = n_tiers - c
    else:
        used = "quantiles"
    if used == "quantiles":
        if len(distinct) <= n_tiers:
            rank_of = {v: i + 1 for i, v in enumerate(distinct)}
            tiers = {k: rank_of[positive[k]] for k in order}
        else:
            tiers = _quantile_tiers(order, n_tiers)
            # equal scores share the better tier
            best: dict[float, int] = {}
            for k in order:
                best.setdefault(positive[k], tiers[k])
            tiers = {k: best[positive[k]] for k in order}
    for k, v in scores.items():
        if v <= 0:
            tiers[k] = n_tiers
    counts = [0] * n_tiers
    lows = [math.inf] * n_tiers
    for k, t in tiers.items():
        counts[t - 1] += 1
        lows[t - 1] = min(lows[t - 1], scores[k])
    lows_out = tuple(round(x, 6) if x != math.inf else 0.0 for x in lows)
    return tiers, Tiering(used, n_tiers, lows_out, tuple(counts))


@dataclass(frozen=True)
class Prestige:
    """An institution's weight in the field as a whole (the whole store), recently."""

    n_works: int
    """Works in the window with at least one author there."""
    works_share: float
    citations: int
    """Citations of those works (as stored: OpenAlex cited-by counts, or the paper lists')."""
    citations_share: float
    value: float
    """Mean of the two shares (works share alone when the window has no citations)."""
    tier: int
    """Tier of ``value`` among every institution with works in the window (1 = top)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FieldPrestige:
    """Prestige of every institution with works in the window."""

    window: tuple[int, int]
    n_works: int
    n_citations: int
    by_institution: dict[str, Prestige]
    tiering: Tiering

    def of(self, institution_id: str) -> Prestige:
        """An institution's prestige; one without works in the window is in the last tier."""
        got = self.by_institution.get(institution_id)
        if got is not None:
            return got
        return Prestige(0, 0.0, 0, 0.0, 0.0, self.tiering.n_tiers)


def field_prestige(
    store: Store, years: int = 10, n_tiers: int = 4, method: str = "jenks"
) -> FieldPrestige:
    """Works and citation shares of every institution over the store's last ``years`` years."""
    last = store.max_publication_year()
    if last is None:
        empty = Tiering(method, n_tiers, (0.0,) * n_tiers, (0,) * n_tiers)
        return FieldPrestige((0, 0), 0, 0, {}, empty)
    lo = last - years + 1
    n_works, n_cites = store.field_totals(lo, last)
    rows = store.institution_totals(lo, last)
    values: dict[str, tuple[int, float, int, float, float]] = {}
    for iid, n, cites in rows:
        ws = n / n_works if n_works else 0.0
        cs = cites / n_cites if n_cites else 0.0
        value = (ws + cs) / 2 if n_cites else ws
        values[iid] = (n, ws, int(cites), cs, value)
    tiers, tiering = assign_tiers({k: v[4] for k, v in values.items()}, n_tiers, method)
    by_inst = {
        k: Prestige(n, round(ws, 6), c, round(cs, 6), round(v, 6), tiers[k])
        for k, (n, ws, c, cs, v) in values.items()
    }
    return FieldPrestige((lo, last), int(n_works), int(n_cites), by_inst, tiering)
