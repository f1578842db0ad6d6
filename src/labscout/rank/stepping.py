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
    _work_institutions,
)
from labscout.rank.tiers import FieldPrestige
from labscout.results import ResearcherMatch
from labscout.store import Store


def resolve_institution(store: Store, ref: str) -> str:
    """An institution id from an id or a name (exact, case-insensitive; else a unique
    part of a name). Of several exact matches, the one with most authorships wins."""
    ref = ref.strip()
    if store.con.execute("SELECT 1 FROM institutions WHERE id = ?", [ref]).fetchone():
        return ref
    count = "(SELECT count(*) FROM authorships s WHERE list_contains(s.institution_ids, i.id))"
    exact = store.con.execute(
        f"SELECT id FROM institutions i WHERE lower(display_name) = lower(?) "
        f"ORDER BY {count} DESC, id",
        [ref],
    ).fetchall()
    if exact:
        return exact[0][0]
    part = store.con.execute(
        "SELECT id, display_name FROM institutions WHERE display_name ILIKE ? "
        "ORDER BY display_name, id LIMIT 21",
        [f"%{ref}%"],
    ).fetchall()
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
    rows = {
        r[0]: r
        for r in store.con.execute(
            "SELECT id, display_name, country_code, type FROM institutions "
            "WHERE id IN (SELECT unnest(?))",
            [sorted(set(where.values()))],
        ).fetchall()
    }
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


def _bridges(store: Store, researcher_ids: Sequence[str], peers: Sequence[str]) -> dict[str, tuple]:
    """Researcher (person id) -> their latest work with someone at a ``peers`` place:
    (co-author id, co-author name, the peer institution, work id, title, year)."""
    if not researcher_ids or not peers:
        return {}
    rows = store.con.execute(
        """
        WITH me AS (
            SELECT coalesce(p.person_id, s.author_id) AS pid, s.author_id, s.work_id
            FROM authorships s LEFT JOIN author_person p ON p.author_id = s.author_id
            WHERE coalesce(p.person_id, s.author_id) IN (SELECT unnest(?))
        ),
        peer AS (SELECT unnest(?) AS iid),
        other AS (
            SELECT work_id, author_id, raw_author_name, position_index,
                   unnest(institution_ids) AS iid
            FROM authorships WHERE work_id IN (SELECT work_id FROM me)
        )
        SELECT me.pid, o.author_id, coalesce(a.display_name, o.raw_author_name, o.author_id),
               o.iid, w.id, w.title, w.publication_year
        FROM me
        JOIN other o ON o.work_id = me.work_id AND o.author_id <> me.author_id
        JOIN peer ON peer.iid = o.iid
        JOIN works w ON w.id = me.work_id
        LEFT JOIN authors a ON a.id = o.author_id
        ORDER BY me.pid, w.publication_year DESC NULLS LAST, w.id, o.position_index, o.iid
        """,
        [list(researcher_ids), list(peers)],
    ).fetchall()
    out: dict[str, tuple] = {}
    for pid, *rest in rows:
        out.setdefault(pid, tuple(rest))
    return out


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
    row = store.con.execute(
        "SELECT display_name FROM institutions WHERE id = ?", [start]
    ).fetchone()
    name = row[0] if row and row[0] else start
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
    bridges = _bridges(store, people, peers)
    names = (
        dict(
            store.con.execute(
                "SELECT id, display_name FROM institutions WHERE id IN (SELECT unnest(?))",
                [sorted({b[2] for b in bridges.values() if b[2]})],
            ).fetchall()
        )
        if bridges
        else {}
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
