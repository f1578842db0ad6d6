"""The targets' signals, read for all of them at once: each lead researcher's activity
and students (the rules of :mod:`labscout.signals.compute`, as ``labscout researcher``
shows them) and intern hosting (:mod:`labscout.signals.interns`). One read a kind for
every target, not one a target."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from labscout import people as P
from labscout.signals import compute as C
from labscout.signals.interns import (
    InternHostSignal,
    InternParams,
    classify_store_pairs,
    host_signal,
)
from labscout.signals.profile import first_years
from labscout.signals.types import Activity, SignalParams, Students
from labscout.store import Store
from labscout.store import intern_reads as R


@dataclass(frozen=True)
class LeadSignals:
    activity: Activity
    students: Students


def host_signals(store: Store, person_ids: Sequence[str]) -> dict[str, InternHostSignal]:
    """Person id -> their intern-host signal, for many people with one read."""
    if not person_ids:
        return {}
    params = InternParams()
    owners = P.person_of(store, list(person_ids))
    hosts = {p: owners.get(p, p) for p in person_ids}
    likely, unconfirmed = classify_store_pairs(store, params, host_author_ids=sorted(hosts))
    names = R.person_names(store, sorted(set(hosts.values())))
    return {p: host_signal(h, names.get(h, p), likely, unconfirmed, params)
            for p, h in hosts.items()}  # fmt: skip


def lead_signals(
    store: Store, leads: Sequence[str], params: SignalParams | None = None
) -> dict[str, LeadSignals]:
    """Person id -> activity and students of each lead researcher."""
    params = params or SignalParams()
    ref_year = params.reference_year or datetime.now(UTC).year
    if not leads:
        return {}
    members = P.member_ids(store, leads)
    owner = P.person_of(store, members)
    ids_of: dict[str, list[str]] = defaultdict(list)
    for aid in members:
        ids_of[owner.get(aid, aid)].append(aid)
    work_ids = {lead: store.work_ids_of(sorted(set(ids_of.get(lead, [])) | {lead}))
                for lead in leads}  # fmt: skip
    works = {w.id: w for w in store.get_works(sorted({i for v in work_ids.values() for i in v}))}
    co_ids = sorted({a.author_id for w in works.values() for a in w.authorships})
    person_of = P.person_of(store, co_ids)
    people = sorted(set(co_ids) | set(person_of.values()))
    names = store.display_names("authors", people)
    starts = first_years(store, person_of, co_ids)
    out = {}
    for lead in leads:
        me = frozenset(ids_of.get(lead, []) or [lead]) | {lead}
        mine = sorted((works[i] for i in work_ids[lead] if i in works),
                      key=lambda w: (w.publication_year or 0, w.id))  # fmt: skip
        pof = {**person_of, **{i: lead for i in me}}
        out[lead] = LeadSignals(
            activity=C.activity(mine, me, params, ref_year),
            students=C.students(mine, me, pof, starts, names, params, ref_year),
        )
    return out
