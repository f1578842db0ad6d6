"""Hidden gems and stepping stones on the ladder (docs/ladder.md).

Hidden gem: a researcher among the ``gem_top`` best by fit for the topic,
whose institution (the one on their latest paper on the topic, else their last
known one) is in field-prestige tier ``gem_min_tier`` or lower, with at least
``gem_min_works`` papers on the topic in the last ``recent_years`` years.
Gems are ranked by fit, each with the reason in words. Groups are hidden gems
too: places in the top half of the topic's tiers whose field prestige is in
tier ``gem_min_tier`` or lower.

Stepping stone (``--from "University of X"``): a place one or two tiers above
the user's own on this topic's ladder, where a listed researcher has a paper
with someone at the user's place or at a place in the user's tier (at the
time of that paper). A place that is not on the ladder counts as one tier
below the last, and its peers are the places in its field-prestige tier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from labscout.errors import AmbiguousError, NotFoundError
from labscout.filters import Filters
from labscout.rank.institutions import (
    GemGroup,
    HiddenGem,
    InstitutionRank,
    LadderParams,
    SteppingStone,
    _institution_rows,
    _work_institutions,
)
from labscout.rank.tiers import FieldPrestige
from labscout.results import ResearcherMatch
from labscout.store import Store


def resolve_institution(store: Store, ref: str) -> str:
    """An institution id from an id or a name (exact, case-insensitive; else a unique
    part of a name). Of several exact matches, the one with most authorships wins."""
    ref = ref.strip()
    if store.has_institution(ref):
        return ref
    exact = store.institutions_named(ref)
    if exact:
        return exact[0]
    part = store.institutions_like(ref, limit=21)
    if len(part) == 1:
        return part[0][0]
    if not part:
        raise NotFoundError(
            f"no institution named like '{ref}' in the store",
            hint="Give the name as the store spells it, or its id (see `labscout ladder`).",
        )
    names = "; ".join(f"{n} ({i})" for i, n in part[:5])
    more = " ..." if len(part) > 5 else ""
    raise AmbiguousError(f"'{ref}' matches {len(part)} institutions: {names}{more}")


def hidden_gems(
    store: Store,
    matches: Sequence[ResearcherMatch],
    field: FieldPrestige,
    params: LadderParams,
    filters: Filters,
    ref_year: int,
    topic: str,
) -> tuple[HiddenGem, ...]:
    """Researchers with high fit at places of low field prestige, best fit first."""
    since = ref_year - params.recent_years + 1
    top = list(matches[: params.gem_top])
    wids = sorted({e.work.work_id for m in top for e in m.evidence})
    insts = _work_institutions(store, wids)
    where: dict[str, str] = {}
    for m in top:
        dated = sorted(m.evidence, key=lambda e: (e.work.year or 0, e.work.work_id), reverse=True)
        for e in dated:
            got = insts.get((e.work.work_id, m.author_id))
            if got:
                where[m.author_id] = got[0]
                break
        else:
            if m.institution_id:
                where[m.author_id] = m.institution_id
    rows = _institution_rows(store, sorted(set(where.values())))
    n_tiers = field.tiering.n_tiers
    lo, hi = field.window
    out = []
    for m in top:
        iid = where.get(m.author_id)
        if iid is None:
            continue
        row = rows.get(iid, (iid, iid, None, None))
        if not filters.institution_ok(row[2], row[3]):
            continue
        prestige = field.of(iid)
        if prestige.tier < params.gem_min_tier:
            continue
        recent = [e for e in m.evidence if (e.work.year or 0) >= since]
        if len(recent) < params.gem_min_works:
            continue
        n_last = sum(1 for e in recent if e.position == "last")
        name = row[1] or iid
        reason = (
            f"{len(recent)} papers on {topic} since {since}, last-author on {n_last}; "
            f"{name} in tier {prestige.tier} of {n_tiers} for the field "
            f"({prestige.n_works:,} of its {field.n_works:,} works in {lo}-{hi})"
        )
        out.append(
            HiddenGem(
                author_id=m.author_id,
                name=m.name,
                fit=m.score,
                find_rank=m.rank,
                institution_id=iid,
                institution=name,
                field_tier=prestige.tier,
                n_recent=len(recent),
                n_recent_last=n_last,
                since=since,
                reason=reason,
            )
        )
        if len(out) >= params.n_gems:
            break
    return tuple(out)


def stepping_stones(
    store: Store,
    start: str,
    ranked: Sequence[InstitutionRank],
    tiers: Mapping[str, int],
    field: FieldPrestige,
    params: LadderParams,
) -> tuple[dict[str, Any], tuple[SteppingStone, ...]]:
    """Places one or two tiers above ``start`` with a researcher who co-authors with
    people at the user's tier. Returns what was found about ``start``, and the stones."""
    name = store.display_names("institutions", [start]).get(start, start)
    n = params.n_tiers
    if start in tiers:
        tier = tiers[start]
        basis = f"tier {tier} of {n} on this topic's ladder"
        peers = sorted({i for i, t in tiers.items() if t == tier} | {start})
    else:
        tier = n + 1
        ft = field.of(start).tier
        basis = (
            f"not on this topic's ladder (counted as below tier {n}); "
            f"peers are the places in its field tier {ft}"
        )
        peers = sorted({i for i, p in field.by_institution.items() if p.tier == ft} | {start})
    info = {"institution_id": start, "name": name, "tier": tier, "basis": basis}
    if tier == 1:
        info["note"] = "already in the top tier: no place above it"
        return info, ()
    targets = {tier - 1, tier - 2} & set(range(1, n + 1))
    places = [r for r in ranked if r.tier in targets and r.institution_id != start]
    people = sorted({p.author_id for r in places for p in r.researchers})
    bridges = store.bridges(people, peers)
    names = store.display_names(
        "institutions", sorted({b.institution_id for b in bridges.values() if b.institution_id})
    )
    yours = f"tier {tier}" if tier <= n else "off the ladder"
    out = []
    for r in sorted(places, key=lambda r: (-r.tier, r.rank)):
        for p in r.researchers:
            b = bridges.get(p.author_id)
            if b is None:
                continue
            co_id, co_name, co_inst, wid, title, year = b
            co_where = names.get(co_inst, co_inst)
            out.append(
                SteppingStone(
                    institution_id=r.institution_id,
                    institution=r.name,
                    tier=r.tier,
                    score=r.score,
                    researcher_id=p.author_id,
                    researcher=p.name,
                    coauthor_id=co_id,
                    coauthor=co_name,
                    coauthor_institution=co_where,
                    work_id=wid,
                    work_title=title,
                    work_year=year,
                    reason=(
                        f"{r.name} is in tier {r.tier} (you: {yours}); "
                        f'{p.name} wrote "{title}" ({year or "n.d."}) with {co_name} of {co_where}'
                    ),
                )
            )
            break
        if len(out) >= params.n_stones:
            break
    return info, tuple(out)


def hidden_gem_groups(
    ranked: Sequence[InstitutionRank], field: FieldPrestige, params: LadderParams, topic: str
) -> tuple[GemGroup, ...]:
    """Groups that are hidden gems: places in the top half of this topic's tiers (tier 1
    or 2 of 4) whose field prestige is in tier ``gem_min_tier`` or lower; by strength."""
    top_tier = max(1, params.n_tiers // 2)
    n = field.tiering.n_tiers
    lo, hi = field.window
    out = []
    for r in ranked:
        p = r.prestige
        if r.tier > top_tier or p.tier < params.gem_min_tier:
            continue
        people = ", ".join(x.name for x in r.researchers[:3])
        reason = (
            f"tier {r.tier} of {params.n_tiers} for {topic} (strength {r.score:.3f}, "
            f"{r.n_researchers} researchers: {people}); tier {p.tier} of {n} for the field "
            f"({p.n_works:,} of its {field.n_works:,} works in {lo}-{hi})"
        )
        out.append(GemGroup(r.institution_id, r.name, r.rank, r.tier, p.tier, r.score, reason))
        if len(out) >= params.n_gems:
            break
    return tuple(out)
