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
from labscout.signals.types import InstitutionSignal, ResearcherProfile, SignalParams
from labscout.store import Store

_HINT = "Give an author id from the store (e.g. A5023888391), an ORCID or an exact name."


def _names(store: Store, table: str, ids: Sequence[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = store.con.execute(
        f"SELECT id, display_name FROM {table} WHERE id IN (SELECT unnest(?))", [list(ids)]
    ).fetchall()
    return {i: n for i, n in rows if n}


def first_years(
    store: Store, person_of: dict[str, str], author_ids: Sequence[str]
) -> dict[str, int]:
    """Person id -> the year of their first work in the store (over all their ids)."""
    if not author_ids:
        return {}
    rows = store.con.execute(
        """
        SELECT s.author_id, min(w.publication_year) FROM authorships s
        JOIN works w ON w.id = s.work_id
        WHERE s.author_id IN (SELECT unnest(?)) AND w.publication_year IS NOT NULL
        GROUP BY s.author_id
        """,
        [list(author_ids)],
    ).fetchall()
    out: dict[str, int] = {}
    for aid, year in rows:
        pid = person_of.get(aid, aid)
        out[pid] = min(year, out.get(pid, year))
    return out


def institution_signal(store: Store, works: Sequence[Work], me: Sequence[str]) -> InstitutionSignal:
    """The author record's last known institution, else the first one on the latest
    work that names one."""
    iid = None
    basis = "unknown"
    ref = None
    for (insts,) in store.con.execute(
        "SELECT last_known_institution_ids FROM authors WHERE id IN (SELECT unnest(?)) "
        "AND len(last_known_institution_ids) > 0 ORDER BY is_full DESC, id",
        [list(me)],
    ).fetchall():
        iid, basis = insts[0], "author record"
        break
    if iid is None:
        for w in sorted(works, key=C._sort_key, reverse=True):
            a = C.own_authorship(w, me)
            if a is not None and a.institution_ids:
                iid, basis, ref = a.institution_ids[0], "latest work", C.work_ref(w, me)
                break
    if iid is None:
        return InstitutionSignal(None, None, None, None, basis, None, "institution unknown")
    row = store.con.execute(
        "SELECT display_name, type, country_code FROM institutions WHERE id = ?", [iid]
    ).fetchone()
    name, type_, cc = row if row else (iid, None, None)
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
    work_ids = [
        r[0]
        for r in store.con.execute(
            "SELECT DISTINCT work_id FROM authorships WHERE author_id IN (SELECT unnest(?)) "
            "ORDER BY 1",
            [list(me)],
        ).fetchall()
    ]
    if not work_ids:
        raise NotFoundError(f"the author {aid} has no works in the store", hint=_HINT)
    works = store.get_works(work_ids)
    co_ids = sorted({a.author_id for w in works for a in w.authorships} - set(me))
    person_of = P.person_of(store, co_ids)
    for i in me:
        person_of.setdefault(i, aid)
    people = sorted(set(co_ids) | set(person_of.values()))
    names = _names(store, "authors", people)
    starts = first_years(store, person_of, sorted(set(co_ids) | set(me)))
    inst_ids = sorted({i for w in works for a in w.authorships for i in a.institution_ids})
    inst_names = _names(store, "institutions", inst_ids)
    me_set = frozenset(me)
    basis, periods = C.topics_over_time(works, params)
    row = store.con.execute(
        "SELECT display_name, orcid FROM authors WHERE id IN (SELECT unnest(?)) "
        "ORDER BY (id = ?) DESC, is_full DESC, id",
        [list(me), aid],
    ).fetchall()
    name = next((r[0] for r in row if r[0]), aid)
    orcid = next((r[1] for r in row if r[1]), None)
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
        institution=institution_signal(store, works, me),
        topics_basis=basis,
        topics_over_time=periods,
        top_coauthors=C.top_coauthors(works, me_set, person_of, names, inst_names, params),
    )
