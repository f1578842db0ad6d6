"""``plan``: where to aim, who to write to, what to read first (docs/plan.md).

One call over the pieces that exist: the topic's ladder (tiers, from the
query's researchers), your place on it (``--from``), the bands of
:mod:`labscout.planning.bands`, each target's researcher signals (activity,
students, intern hosting), co-author paths from the people you know
(``--know``, only to the targets shown), the papers to read before writing
to a target, and the topic's reading list, every work linked. No sentence is
written that is not a template filled with stored data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from labscout.errors import InputError
from labscout.filters import Filters
from labscout.planning.bands import (
    Position,
    band_of,
    band_rules,
    position,
    relative_band,
)
from labscout.planning.targets import Context, build_target, linked
from labscout.planning.topic import reading_text
from labscout.planning.types import (
    BANDS,
    Band,
    LinkedWork,
    Plan,
    PlanParams,
    Target,
)
from labscout.progress import Progress
from labscout.query import Query
from labscout.rank.institutions import (
    InstitutionRank,
    LadderParams,
    ladder_matches,
    rank_institutions,
)
from labscout.store import Store


def plan(
    store: Store,
    query: Query | str,
    params: PlanParams | None = None,
    ladder_params: LadderParams | None = None,
    index: Any = None,
    graph: Callable[[], Any] | None = None,
    progress: Progress | None = None,
) -> Plan:
    """The plan for a query (text, liked works, a .bib, ``mine``), relative to the query's
    ``from_institution``, with co-author paths from its ``reach_from`` (people you know);
    ``filters`` pick the places listed (country, region, type). ``graph``: a callable
    giving the co-author graph (only called when someone is known)."""
    from labscout.index.build import load_index
    from labscout.people import resolve_people
    from labscout.rank.stepping import resolve_institution

    t0 = time.perf_counter()
    query = Query(text=query) if isinstance(query, str) else query
    if query.empty:
        raise InputError(
            "nothing to plan for",
            hint='Give your interests: labscout plan "topic", --like, --like-bib or --mine.',
        )
    params = params or PlanParams()
    lp = ladder_params or LadderParams()
    start = resolve_institution(store, query.from_institution) if query.from_institution else None
    known = resolve_people(store, query.reach_from)
    index = index if index is not None else load_index(store, progress=progress)

    found, rp, ranked, tiering, tiers = _ladder(store, query, lp, index, progress)
    ranks = {r.institution_id: r.rank for r in ranked}
    start_name = store.display_names("institutions", [start]).get(start, start) if start else None
    me = position(start, start_name, tiers, ranks, lp.n_tiers)

    academic, companies = _candidates(ranked, me, start, query.filters, params)
    rules = band_rules(me, lp.n_tiers, params.max_tiers_above)
    bridges = _reach_bridges(store, academic["reach"], me, tiers, ranks, params) if start else {}
    if bridges:  # the stepping-stone rule: places with a bridge to your tier first
        academic["reach"].sort(key=lambda r: (r.researchers[0].author_id not in bridges, r.rank))
    shown = {b: academic[b][: params.per_band] for b in BANDS}
    signals, labs = _signals(store, _leads(shown, []), companies[: params.n_internships])
    leads = _leads(shown, labs)
    text = reading_text(store, query, found.query.get("query_works", []))
    ctx = _with_works(
        Context(
            store=store,
            params=params,
            me=me,
            n_tiers=lp.n_tiers,
            n_ranked=len(ranked),
            matches={m.author_id: m for m in found.matches},
            works={},
            names={},
            since=(store.max_publication_year() or 0) - params.recent_years + 1,
            query_text=text,
            tokenize=index.lexical.tokenize,
        ),
        [r for b in BANDS for r in shown[b]] + labs,
    )
    paths, path_notes = _paths(store, known, leads, params, graph)

    def target(r: InstitutionRank, band: str, kind: str) -> Target:
        lead = r.researchers[0].author_id
        return build_target(ctx, r, band, kind, signals, paths.get(lead), path_notes.get(lead, ""),
                       bridges.get(lead))  # fmt: skip

    bands = tuple(
        Band(b, rules[b], tuple(target(r, b, "academic") for r in shown[b]), len(academic[b]))
        for b in BANDS
    )
    internships = tuple(
        target(r, relative_band(r.tier, r.rank, me), "internship") for r in labs
    )
    reading, reading_note = _reading(store, text, params, index)
    notes = _notes(query, me, known, companies, academic)
    return Plan(
        query={**query.to_dict(), "query_works": found.query.get("query_works", [])},
        start=me.to_dict(),
        known=tuple({"id": p.id, "name": p.display_name, "institution": p.institution,
                     "matched_by": p.matched_by} for p in known),  # fmt: skip
        bands=bands,
        internships=internships,
        internship_note=_internship_note(query.filters, companies, labs),
        reading=reading,
        reading_note=reading_note,
        n_ranked=len(ranked),
        tiering=tiering.to_dict(),
        notes=notes,
        params={"plan": params.to_dict(), "ladder": lp.to_dict(), "rank": rp.to_dict()},
        seconds=round(time.perf_counter() - t0, 4),
    )


def _ladder(
    store: Store, query: Query, lp: LadderParams, index: Any, progress: Progress | None
) -> tuple[Any, Any, list[InstitutionRank], Any, dict[str, int]]:
    """The topic's ladder as ``labscout ladder`` builds it, over every credited place
    (no filter: tiers and ranks mean the same with or without one)."""
    from labscout.rank.tiers import field_prestige

    found, rp = ladder_matches(store, query, lp, index=index, progress=progress)
    matches = list(found.matches)
    if query.filters.active_since is not None:
        active = query.filters.active_authors(store, [m.author_id for m in matches])
        matches = [m for m in matches if m.author_id in active]
    field = field_prestige(store, lp.prestige_years, lp.n_tiers, lp.tier_method)
    ranked, tiering, tiers, _ = rank_institutions(
        store, matches, field, rp.max_works, rp.work_decay, lp, Filters()
    )
    return found, rp, ranked, tiering, tiers


def _candidates(
    ranked: Sequence[InstitutionRank],
    me: Position,
    start: str | None,
    filters: Filters,
    params: PlanParams,
) -> tuple[dict[str, list[InstitutionRank]], list[InstitutionRank]]:
    """Academic places by band, and company labs, best first; filters applied, your own
    place and places without a credited researcher left out."""
    academic: dict[str, list[InstitutionRank]] = {b: [] for b in BANDS}
    companies: list[InstitutionRank] = []
    for r in ranked:
        if r.institution_id == start or not r.researchers:
            continue
        if not filters.institution_ok(r.country_code, r.type):
            continue
        if r.type == "company":
            companies.append(r)
            continue
        band = band_of(r.tier, r.rank, me, params.max_tiers_above)
        if band is not None:
            academic[band].append(r)
    return academic, companies


def _reach_bridges(
    store: Store,
    reach: Sequence[InstitutionRank],
    me: Position,
    tiers: dict[str, int],
    ranks: dict[str, int],
    params: PlanParams,
) -> dict[str, str]:
    """Lead researcher -> the latest work they wrote with someone at your place or a
    place of your tier ranked at or below yours (the stepping-stone rule), in words; for
    the first candidates."""
    if me.institution_id is None:
        return {}
    peers = sorted(
        {i for i, t in tiers.items() if t == me.tier and ranks.get(i, 0) >= (me.rank or 0)}
        | {me.institution_id}
    )
    leads = [r.researchers[0].author_id for r in reach[: 3 * params.per_band]]
    found = store.bridges(leads, peers)
    names = store.display_names(
        "institutions", sorted({b.institution_id for b in found.values() if b.institution_id})
    )
    out = {}
    for lead, b in found.items():
        co_id, co_name, co_inst, wid, title, year = b
        where = names.get(co_inst, co_inst)
        whose = (
            "your place" if co_inst == me.institution_id
            else f"a tier-{me.tier} place ranked below yours"
        )  # fmt: skip
        out[lead] = f'wrote "{title}" ({year or "n.d."}) with {co_name} of {where} ({whose})'
    return out


def _leads(shown: dict[str, list[InstitutionRank]], labs: Sequence[InstitutionRank]) -> list[str]:
    """The lead researcher of every shown target, in order, without repeats."""
    rows = [r for b in BANDS for r in shown[b]] + list(labs)
    return list(dict.fromkeys(r.researchers[0].author_id for r in rows))


def _with_works(ctx: Context, rows: Sequence[InstitutionRank]) -> Context:
    """Read once every work the targets name (their researchers' evidence), and the
    names of those works' authors."""
    ids: set[str] = set()
    for r in rows:
        for p in r.researchers[: ctx.params.researchers_per_target]:
            m = ctx.matches.get(p.author_id)
            if m is not None:
                ids |= {e.work.work_id for e in m.evidence}
    works = {w.id: w for w in ctx.store.get_works(sorted(ids))}
    authors = sorted({a.author_id for w in works.values() for a in w.authorships})
    names = ctx.store.names_or_raw(authors)
    return Context(**{**ctx.__dict__, "works": works, "names": names})


def _signals(
    store: Store, leads: Sequence[str], labs: Sequence[InstitutionRank]
) -> tuple[dict[str, Any], list[InstitutionRank]]:
    """Each lead's signals and intern-host signal; each lab's researchers reordered so
    that the one with the most likely interns leads (ties: the larger credit)."""
    from labscout.planning.signals import host_signals, lead_signals

    lab_people = [p.author_id for r in labs for p in r.researchers]
    hosts = host_signals(store, list(dict.fromkeys([*leads, *lab_people])))
    ordered = []
    for r in labs:
        best = sorted(r.researchers, key=lambda p: -hosts[p.author_id].n_interns)
        ordered.append(replace(r, researchers=tuple(best)))
    all_leads = list(dict.fromkeys([*leads, *(r.researchers[0].author_id for r in ordered)]))
    out: dict[str, Any] = {f"lead:{k}": v for k, v in lead_signals(store, all_leads).items()}
    out.update({f"host:{k}": v for k, v in hosts.items()})
    return out, ordered


def _paths(
    store: Store,
    known: Sequence[Any],
    leads: Sequence[str],
    params: PlanParams,
    graph: Callable[[], Any] | None,
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The shortest co-author path from anyone you know to each lead (only the leads
    shown), and a note for each lead without one."""
    if not known:
        note = "no people given with --know: no co-author paths"
        return {}, {aid: note for aid in leads}
    from labscout.graph import reach

    ids = [p.id for p in known]
    found = reach(store, sources=ids, targets=list(leads), k=1,
                  max_length=params.path_max_length, graph=graph() if graph else None)  # fmt: skip
    paths: dict[str, dict[str, Any]] = {}
    notes: dict[str, str] = {}
    for aid in leads:
        got = found.get(aid) or []
        if aid in ids:
            notes[aid] = "you know them already (one of --know)"
        elif got:
            p = got[0]
            paths[aid] = p.to_dict()
            chain = " - ".join(x.display_name or x.id for x in p.people)
            notes[aid] = f"{p.hops} step{'s' if p.hops > 1 else ''}: {chain}"
        else:
            notes[aid] = (f"no co-author path within {params.path_max_length} steps "
                          "from the people you know")  # fmt: skip
    return paths, notes


def _reading(
    store: Store, text: str, params: PlanParams, index: Any
) -> tuple[tuple[LinkedWork, ...], str]:
    """The topic's reading list (:func:`labscout.rank.reading.reading_list`), linked."""
    from labscout.rank.reading import reading_list

    got = reading_list(store, text, index=index)
    works = {w.id: w for w in store.get_works([i.work_id for i in got.items])}
    names = store.names_or_raw(
        sorted({a.author_id for w in works.values() for a in w.authorships})
    )
    out = [linked(works[i.work_id], names, i.reason) for i in got.items if i.work_id in works]
    note = (
        f'the reading list of `labscout read "{text}"`: surveys, central works, then recent '
        f"works of the topic's top researchers ({got.n_topic_works} topic works)"
    )
    return tuple(out[: params.n_reading]), note


def _internship_note(
    filters: Filters, companies: Sequence[InstitutionRank], labs: Sequence[InstitutionRank]
) -> str:
    if labs:
        return (f"the {len(labs)} strongest of {len(companies)} company labs on the topic's "
                "ladder (filters applied)")  # fmt: skip
    if filters.types and "company" not in filters.types:
        return "no internship targets: --type leaves company labs out"
    return "no company lab on this topic's ladder (filters applied)"


def _notes(
    query: Query,
    me: Position,
    known: Sequence[Any],
    companies: Sequence[InstitutionRank],
    academic: dict[str, list[InstitutionRank]],
) -> tuple[str, ...]:
    out = [me.basis]
    if not known:
        out.append("no --know given: co-author paths are left out")
    for b in BANDS:
        if not academic[b]:
            out.append(f"the {b} band is empty for this topic and these filters")
    if query.filters.on_institutions:
        out.append(f"filters: {query.filters.describe()}")
    return tuple(out)
