"""Each target of the plan: its fit, signals, papers to read first and shared topic,
built from what :func:`labscout.planning.build.plan` read once for every target."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from labscout.links import work_link
from labscout.planning.bands import Position, band_reason
from labscout.planning.topic import shared_topic
from labscout.planning.types import LinkedWork, PlanParams, Target, TargetPerson
from labscout.rank.institutions import InstitutionRank
from labscout.records import Work
from labscout.results import ResearcherMatch
from labscout.store import Store


@dataclass(frozen=True)
class Context:
    """What every target is built from (one plan call)."""

    store: Store
    params: PlanParams
    me: Position
    n_tiers: int
    n_ranked: int
    matches: dict[str, ResearcherMatch]
    works: dict[str, Work]
    names: dict[str, str]
    since: int
    query_text: str
    tokenize: Callable[[str], list[str]]


def author_names(work: Work, names: dict[str, str]) -> tuple[str, ...]:
    """The work's authors in order, as printed on the paper, else their stored display names
    (the reading list's rule, so one paper lists its authors the same way everywhere)."""
    ships = sorted(work.authorships, key=lambda s: s.position_index)
    return tuple(a.raw_author_name or names.get(a.author_id) or a.author_id for a in ships)


def linked(w: Work, names: dict[str, str], reason: str) -> LinkedWork:
    url, kind = work_link(w)
    return LinkedWork(
        work_id=w.id,
        title=w.title,
        year=w.publication_year,
        venue=w.venue,
        url=url,
        link_kind=kind,
        doi=w.doi,
        authors=author_names(w, names),
        reason=reason,
    )


def _read_first(ctx: Context, r: InstitutionRank) -> tuple[LinkedWork, ...]:
    """The target's most relevant recent works: its researchers' works on the topic that
    credited this place, those since ``since`` by relevance, then older ones."""
    people = r.researchers[: ctx.params.researchers_per_target]
    credited = {w.work_id for p in people for w in p.works}
    hits: dict[str, tuple[Any, str]] = {}
    for p in people:
        m = ctx.matches.get(p.author_id)
        for e in m.evidence if m else ():
            if e.work.work_id in credited:
                hits.setdefault(e.work.work_id, (e.work, p.name))
    order = sorted(hits.values(), key=lambda h: ((h[0].year or 0) < ctx.since, -h[0].score,
                                                 h[0].work_id))  # fmt: skip
    out = []
    for i, (hit, who) in enumerate(order[: ctx.params.n_read_first], start=1):
        w = ctx.works.get(hit.work_id)
        if w is None:
            continue
        recent = (hit.year or 0) >= ctx.since
        when = f"since {ctx.since}" if recent else f"before {ctx.since} (fewer recent ones)"
        reason = (f"#{i} by relevance to your query of {who}'s works on the topic at "
                  f"{r.name}, {when}")  # fmt: skip
        out.append(linked(w, ctx.names, reason))
    return tuple(out)


def _signal_dicts(ctx: Context, r: InstitutionRank, kind: str, signals: dict[str, Any]):
    lead = r.researchers[0].author_id
    lead_sig = signals[f"lead:{lead}"]
    st = lead_sig.students
    students = {
        "summary": st.summary,
        "n_recent": st.n_recent,
        "recent_from": st.recent_from,
        "students": [{"author_id": s.author_id, "name": s.name, "first_year": s.first_year,
                      "work_id": s.first_joint_work.work_id, "title": s.first_joint_work.title,
                      "year": s.first_joint_work.year} for s in st.students[:3]],  # fmt: skip
    }
    sig = signals[f"host:{lead}"]
    interns = {
        "basis": "the lab's researcher on the topic with the most likely interns"
        if kind == "internship" else "the lead researcher",
        "summary": sig.summary,
        "n_interns": sig.n_interns,
        "since": sig.since,
        "n_unconfirmed": sig.n_unconfirmed,
        "interns": [{"name": e.name, "university": e.university, "host": e.host_name,
                     "work_id": e.work.work_id, "title": e.work.title, "year": e.work.year}
                    for e in sig.interns[:3]],  # fmt: skip
    }
    act = lead_sig.activity
    activity = {
        "summary": act.summary,
        "n_recent": act.n_recent,
        "window": list(act.window),
        "works_per_year": act.works_per_year,
        "last_work": act.last_work.to_dict() if act.last_work else None,
    }
    return students, interns, activity


def build_target(
    ctx: Context,
    r: InstitutionRank,
    band: str,
    kind: str,
    signals: dict[str, Any],
    path: dict[str, Any] | None,
    path_note: str,
    bridge: str | None,
) -> Target:
    people = r.researchers[: ctx.params.researchers_per_target]
    lead = people[0]
    lead_works = people[0].works
    fit = (
        f"#{r.rank} of {ctx.n_ranked} places on the topic, tier {r.tier} of {ctx.n_tiers} "
        f"(strength {r.score:.3f}, {r.n_researchers} researcher"
        f"{'s' if r.n_researchers != 1 else ''}); {lead.name}: "
        f"#{lead.find_rank} researcher for the topic (fit {lead.fit:.3f}), "
        f"{len(lead_works)} of their works on it credit {r.name}"
    )
    students, interns, activity = _signal_dicts(ctx, r, kind, signals)
    m = ctx.matches.get(lead.author_id)
    topic_works = [ctx.works[e.work.work_id] for e in (m.evidence if m else ())
                   if e.work.work_id in ctx.works]  # fmt: skip
    closest = m.evidence[0].work if m and m.evidence else None
    return Target(
        band=band,
        kind=kind,
        institution_id=r.institution_id,
        institution=r.name,
        country_code=r.country_code,
        type=r.type,
        rank=r.rank,
        tier=r.tier,
        strength=r.score,
        field_tier=r.prestige.tier,
        researchers=tuple(
            TargetPerson(p.author_id, p.name, p.fit, p.credit, p.find_rank) for p in people
        ),
        band_reason=band_reason(r.tier, r.rank, ctx.me),
        fit=fit,
        evidence=tuple({"work_id": w.work_id, "title": w.title, "year": w.year,
                        "position": w.position, "credit": round(w.credit, 6)}
                       for w in lead_works[:5]),  # fmt: skip
        takes_students=students,
        hosts_interns=interns,
        activity=activity,
        path=path,
        path_note=path_note,
        bridge=f"{lead.name} {bridge}" if bridge else None,
        read_first=_read_first(ctx, r),
        shared_topic=shared_topic(ctx.query_text, lead.name, topic_works, closest, ctx.tokenize),
    )
