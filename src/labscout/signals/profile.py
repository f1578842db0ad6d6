"""``researcher_profile``: the one library call behind ``labscout researcher``.

Reads one person's works from the store (every id linked to them by the
identity rules), then computes the signals of :mod:`labscout.signals.compute`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from labscout.errors import InputError, NotFoundError
from labscout.records import Work
from labscout.signals import compute as C
from labscout.signals.types import InstitutionSignal, ResearcherProfile, SignalParams
from labscout.store import Store

_OPENALEX_AUTHOR = re.compile(r"^(?:https?://(?:api\.)?openalex\.org/(?:authors/)?)?(A\d+)$", re.I)
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$", re.I)
_HINT = "Give an author id from the store (e.g. A5023888391) or an ORCID."


def person_ids(store: Store, author_ids: Sequence[str]) -> tuple[str, ...]:
    """Every id of the people behind ``author_ids`` (identity links), sorted."""
    rows = store.con.execute(
        """
        SELECT DISTINCT b.author_id FROM author_person a
        JOIN author_person b ON a.person_id = b.person_id
        WHERE a.author_id IN (SELECT unnest(?)) OR a.person_id IN (SELECT unnest(?))
        """,
        [list(author_ids), list(author_ids)],
    ).fetchall()
    return tuple(sorted({r[0] for r in rows} | set(author_ids)))


def resolve_researcher(store: Store, ref: str) -> str:
    """An author id in the store from an id (OpenAlex URL or bare), or an ORCID."""
    ref = (ref or "").strip()
    if not ref:
        raise InputError("give an author id or an ORCID", hint=_HINT)
    if m := _ORCID.search(ref):
        row = store.con.execute(
            "SELECT id FROM authors WHERE upper(orcid) = upper(?) ORDER BY is_full DESC, id",
            [m.group(1)],
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no author with ORCID {m.group(1)} in the store", hint=_HINT)
        return row[0]
    aid = m.group(1).upper() if (m := _OPENALEX_AUTHOR.match(ref)) else ref
    aid = store.resolve_id("authors", aid)
    if store.con.execute("SELECT 1 FROM authors WHERE id = ?", [aid]).fetchone() is None:
        raise NotFoundError(f"no author {ref} in the store", hint=_HINT)
    return aid


def _person_map(store: Store, author_ids: Sequence[str]) -> dict[str, str]:
    if not author_ids:
        return {}
    rows = store.con.execute(
        "SELECT author_id, person_id FROM author_person "
        "WHERE author_id IN (SELECT unnest(?)) AND author_id <> person_id",
        [list(author_ids)],
    ).fetchall()
    return dict(rows)


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
    """The signals of one researcher (an author id or ORCID), each with its numbers and works."""
    params = params or SignalParams()
    ref_year = params.reference_year or datetime.now(UTC).year
    aid = resolve_researcher(store, author)
    me = person_ids(store, [aid])
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
    person_of = _person_map(store, co_ids)
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
