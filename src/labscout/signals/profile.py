"""``researcher_profile``: the one library call behind ``labscout researcher``.

Reads one person's works from the store (every id linked to them by the
identity rules), then computes the signals of :mod:`labscout.signals.compute`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from labscout import people as P
from labscout.errors import NotFoundError
from labscout.records import Work
from labscout.signals import compute as C
from labscout.signals.interns import intern_host_signal
from labscout.signals.types import InstitutionSignal, ResearcherProfile, SignalParams
from labscout.store import Store

_HINT = "Give an author id from the store (e.g. A5023888391), an ORCID or an exact name."


def first_years(
    store: Store, person_of: dict[str, str], author_ids: Sequence[str]
) -> dict[str, int]:
    """Person id -> the year of their first work in the store (over all their ids)."""
    out: dict[str, int] = {}
    for aid, year in store.first_years(author_ids).items():
        pid = person_of.get(aid, aid)
        out[pid] = min(year, out.get(pid, year))
    return out


def institution_signal(
    store: Store, works: Sequence[Work], me: Sequence[str], author_id: str
) -> InstitutionSignal:
    """Where the person is now, by :meth:`Store.current_institution_details`: their author
    record's last known institution, else the first one on their latest work naming one."""
    cur = store.current_institution_details([author_id]).get(author_id)
    if cur is None:
        return InstitutionSignal(None, None, None, None, "unknown", None, "institution unknown")
    iid, basis = cur.institution_ids[0], cur.basis
    latest = next((w for w in works if w.id == cur.work_id), None) if cur.work_id else None
    ref = C.work_ref(latest, me) if latest is not None else None
    info = store.institution_info([iid]).get(iid)
    name, type_, cc = iid, None, None
    if info is not None:
        name, type_, cc = info.display_name, info.type, info.country_code
    where = f"{name} ({type_ or 'type unknown'}, {cc or 'country unknown'})"
    summary = f"{where}, from the {basis}" + (f" ({ref.year})" if ref else "")
    return InstitutionSignal(iid, name, type_, cc, basis, ref, summary)


def researcher_profile(
    store: Store, author: str, params: SignalParams | None = None
) -> ResearcherProfile:
    """The signals of one researcher (any reference :func:`labscout.people.resolve_person`
    reads: an author id, ORCID, profile URL or exact name), each with its numbers and works."""
    params = params or SignalParams()
    ref_year = params.reference_year or datetime.now(UTC).year
    person = P.resolve_person(store, author)
    aid, me = person.record_id, person.author_ids
    work_ids = store.work_ids_of(me)
    if not work_ids:
        raise NotFoundError(f"the author {aid} has no works in the store", hint=_HINT)
    works = store.get_works(work_ids)
    co_ids = sorted({a.author_id for w in works for a in w.authorships} - set(me))
    person_of = P.person_of(store, co_ids)
    for i in me:
        person_of.setdefault(i, aid)
    people = sorted(set(co_ids) | set(person_of.values()))
    names = store.display_names("authors", people)
    starts = first_years(store, person_of, sorted(set(co_ids) | set(me)))
    inst_ids = sorted({i for w in works for a in w.authorships for i in a.institution_ids})
    inst_names = store.display_names("institutions", inst_ids)
    me_set = frozenset(me)
    basis, periods = C.topics_over_time(works, params)
    name, orcid = store.best_author_record(me, aid)
    name = name or aid
    return ResearcherProfile(
        author_id=aid,
        author_ids=me,
        name=name,
        orcid=orcid,
        reference_year=ref_year,
        activity=C.activity(works, me_set, params, ref_year),
        seniority=C.seniority(works, me_set, params, ref_year),
        students=C.students(works, me_set, person_of, starts, names, params, ref_year),
        growth=C.growth(works, me_set, person_of, params, ref_year),
        institution=institution_signal(store, works, me, aid),
        topics_basis=basis,
        topics_over_time=periods,
        top_coauthors=C.top_coauthors(works, me_set, person_of, names, inst_names, params),
        interns=intern_host_signal(store, person.id),
    )
