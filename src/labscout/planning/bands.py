"""Reach, match, safer: where each place on the topic's ladder stands relative to you.

Your tier ``E`` is your place's tier on the topic's ladder; a place that is not
on it counts with the last tier; without ``--from`` it is the median tier of
every credited place. Then, for an academic place of tier ``t``:

- **reach**: ``E - max_above <= t < E`` (one or two tiers above: the stepping-stone
  rule of docs/ladder.md); when you are in tier 1 already, the tier-1 places
  ranked above yours;
- **match**: ``t == E`` (tier 1: those ranked below yours);
- **safer**: ``t == E + 1`` (one tier below).

Company labs (internship targets) get the same words without the cuts: above,
the same tier, or below yours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Position:
    """Where the user stands on the topic's ladder."""

    institution_id: str | None
    name: str | None
    tier: int
    """The tier the bands are relative to (``E`` above)."""
    rank: int | None
    """Your place's rank on the ladder (None: off the ladder, or no --from)."""
    on_ladder: bool
    basis: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def median_tier(tiers: Mapping[str, int]) -> int:
    """The (lower) median of the tiers of every credited place (1 when there is none)."""
    values = sorted(tiers.values())
    return values[(len(values) - 1) // 2] if values else 1


def position(
    institution_id: str | None,
    name: str | None,
    tiers: Mapping[str, int],
    ranks: Mapping[str, int],
    n_tiers: int,
) -> Position:
    """Your tier and rank from your place (None: the median tier, and the basis says so)."""
    if institution_id is None:
        m = median_tier(tiers)
        basis = (f"no --from given: the bands are relative to the median tier of the "
                 f"{len(tiers)} places on this topic's ladder, tier {m} of {n_tiers}")  # fmt: skip
        return Position(None, None, m, None, False, basis)
    if institution_id in tiers:
        t, r = tiers[institution_id], ranks.get(institution_id)
        basis = (f"{name} is #{r} of {len(tiers)} places on this topic's ladder, "
                 f"tier {t} of {n_tiers}")  # fmt: skip
        return Position(institution_id, name, t, r, True, basis)
    basis = (f"{name} is not on this topic's ladder (no work on the topic credits it): "
             f"counted with the last tier, {n_tiers} of {n_tiers}")  # fmt: skip
    return Position(institution_id, name, n_tiers, None, False, basis)


def band_of(tier: int, rank: int, me: Position, max_above: int = 2) -> str | None:
    """The band of an academic place of ``tier`` and ``rank`` (None: in no band)."""
    if tier < me.tier:
        return "reach" if me.tier - tier <= max_above else None
    if tier == me.tier:
        if me.tier == 1 and me.rank is not None:
            return "reach" if rank < me.rank else "match"
        return "match"
    return "safer" if tier == me.tier + 1 else None


def relative_band(tier: int, rank: int, me: Position) -> str:
    """The band of a company lab: above yours (reach), the same tier (match) or below."""
    if tier < me.tier or (tier == me.tier == 1 and me.rank is not None and rank < me.rank):
        return "reach"
    return "match" if tier == me.tier else "safer"


def _span(n: int) -> str:
    return "one or two tiers" if n == 2 else f"one to {n} tiers"


def band_rules(me: Position, n_tiers: int, max_above: int) -> dict[str, str]:
    """Each band's rule in words, for this position."""
    e = me.tier
    if e == 1 and me.rank is not None:
        reach = f"tier 1 places ranked above yours (#{me.rank}): there is no tier above yours"
        match = f"tier 1 places ranked below yours (#{me.rank})"
    else:
        hi = max(1, e - max_above)
        above = [t for t in range(hi, e)]
        reach = (f"tier {above[0]}" if len(above) == 1 else f"tiers {above[0]}-{above[-1]}") + (
            f" ({'one tier' if len(above) == 1 else _span(len(above))} above yours)"
        ) if above else "none: no tier above yours"
        match = f"tier {e} (yours)"
    safer = f"tier {e + 1} (one below yours)" if e < n_tiers else "none: yours is the last tier"
    return {"reach": reach, "match": match, "safer": safer}


def band_reason(tier: int, rank: int, me: Position) -> str:
    """Why one place is in its band, in words."""
    yours = f"you: tier {me.tier}" + (f", #{me.rank}" if me.rank is not None else "")
    if tier < me.tier:
        d = me.tier - tier
        return f"tier {tier}, {d} tier{'s' if d > 1 else ''} above yours ({yours})"
    if tier == me.tier:
        if me.rank is not None:
            side = "above" if rank < me.rank else "below"
            return f"tier {tier} like yours, ranked #{rank}, {side} yours ({yours})"
        return f"tier {tier}, the same as yours ({yours})"
    d = tier - me.tier
    return f"tier {tier}, {d} tier{'s' if d > 1 else ''} below yours ({yours})"
