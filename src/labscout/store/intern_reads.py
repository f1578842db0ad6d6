"""Store reads behind the intern-host signal (:mod:`labscout.signals.interns`).

Every author id is mapped to its person (the ``author_person`` view: identity
links across sources), so a person with two ids counts once. Institution types
are the stored ones (OpenAlex's, or the paper lists' guess), read *at the time
of the paper*: from the institutions named on that authorship.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from labscout.store.store import Store

# one row per (work, author) with the company and education institutions named on it
_AFFILIATIONS = """
    SELECT s.work_id, s.author_id, s.author_position, s.position_index,
           list(DISTINCT i.id) FILTER (WHERE i.type = 'company') AS company_ids,
           list(DISTINCT i.id) FILTER (WHERE i.type = 'education') AS education_ids
    FROM (SELECT work_id, author_id, author_position, position_index,
                 unnest(institution_ids) AS iid FROM authorships {where}) s
    JOIN institutions i ON i.id = s.iid
    GROUP BY ALL
"""

# the people behind the given author ids (their person ids, and the ids themselves)
_HOST_PEOPLE = """
    hp AS (SELECT person_id AS p FROM author_person
           WHERE author_id IN (SELECT unnest(?)) OR person_id IN (SELECT unnest(?))
           UNION SELECT unnest(?) AS p),
"""


@dataclass(frozen=True, slots=True)
class CoauthorRow:
    """A company author and an education author on the same work (one candidate pair)."""

    work_id: str
    year: int | None
    title: str
    venue: str | None
    n_authors: int
    alphabetical: bool
    """The authors are listed in alphabetical order of their last names."""
    host_id: str
    """The person id of the author at a company."""
    host_position: str | None
    host_company_ids: tuple[str, ...]
    host_education_ids: tuple[str, ...]
    intern_id: str
    """The person id of the author at an education institution."""
    intern_author_id: str
    """The author id as written on the work (before identity links)."""
    intern_position: str | None
    intern_position_index: int | None
    intern_education_ids: tuple[str, ...]
    intern_company_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TimelineWork:
    """One work of a person, with the kinds of institution they named on it."""

    work_id: str
    year: int | None
    title: str
    company_ids: tuple[str, ...]
    education_ids: tuple[str, ...]


def company_education_pairs(
    store: Store,
    host_author_ids: Sequence[str] | None = None,
    company_ids: Sequence[str] | None = None,
) -> list[CoauthorRow]:
    """Every (company author, education author) pair on the same work.

    ``host_author_ids`` keeps the works of those people (every id of each
    person); ``company_ids`` keeps hosts who named one of those institutions on
    the paper. Both None: the whole store.
    """
    params: list = []
    where = ""
    if host_author_ids is not None:
        where = (
            "WHERE work_id IN (SELECT work_id FROM authorships WHERE author_id IN ("
            "SELECT author_id FROM author_person WHERE person_id IN (SELECT p FROM hp) "
            "UNION SELECT p FROM hp))"
        )
        params += [list(host_author_ids)] * 3
    company_filter = ""
    if company_ids is not None:
        company_filter = "AND len(list_intersect(h.company_ids, ?)) > 0"
        params.append(list(company_ids))
    sql = f"""
        WITH {_HOST_PEOPLE if host_author_ids is not None else ""}
        aff AS ({_AFFILIATIONS.format(where=where)}),
        person AS (
            SELECT a.author_id, coalesce(ap.person_id, a.author_id) AS person_id
            FROM (SELECT DISTINCT author_id FROM aff) a
            LEFT JOIN author_person ap ON ap.author_id = a.author_id
        ),
        n AS (SELECT s.work_id, count(*) AS n_authors,
                     list(lower(regexp_extract(trim(coalesce(s.raw_author_name, a.display_name,
                          '')), '(\\S+)$')) ORDER BY s.position_index) AS surnames
              FROM authorships s LEFT JOIN authors a ON a.id = s.author_id
              WHERE s.work_id IN (SELECT work_id FROM aff) GROUP BY s.work_id)
        SELECT h.work_id, w.publication_year, w.title, w.venue, n.n_authors,
               n.surnames = list_sort(n.surnames),
               ph.person_id, h.author_position, h.company_ids,
               coalesce(h.education_ids, []),
               pi.person_id, i.author_id, i.author_position, i.position_index,
               i.education_ids, coalesce(i.company_ids, [])
        FROM aff h
        JOIN aff i ON i.work_id = h.work_id AND i.author_id <> h.author_id
        JOIN person ph ON ph.author_id = h.author_id
        JOIN person pi ON pi.author_id = i.author_id
        JOIN works w ON w.id = h.work_id
        JOIN n ON n.work_id = h.work_id
        WHERE len(h.company_ids) > 0 AND len(i.education_ids) > 0
          AND ph.person_id <> pi.person_id {company_filter}
        ORDER BY h.work_id, ph.person_id, pi.person_id
    """
    out = []
    for r in store.con.execute(sql, params).fetchall():
        out.append(
            CoauthorRow(
                work_id=r[0],
                year=r[1],
                title=r[2],
                venue=r[3],
                n_authors=r[4],
                alphabetical=bool(r[5]),
                host_id=r[6],
                host_position=r[7],
                host_company_ids=tuple(sorted(r[8] or ())),
                host_education_ids=tuple(sorted(r[9] or ())),
                intern_id=r[10],
                intern_author_id=r[11],
                intern_position=r[12],
                intern_position_index=r[13],
                intern_education_ids=tuple(sorted(r[14] or ())),
                intern_company_ids=tuple(sorted(r[15] or ())),
            )
        )
    return out


def person_timelines(store: Store, person_ids: Sequence[str]) -> dict[str, list[TimelineWork]]:
    """Person id -> every work of that person (over all their author ids), oldest first,
    with the company and education institutions they named on each."""
    if not person_ids:
        return {}
    rows = store.con.execute(
        """
        WITH me AS (
            SELECT a.author_id, a.person_id FROM author_person a
            WHERE a.person_id IN (SELECT unnest(?))
            UNION SELECT unnest(?) AS author_id, unnest(?) AS person_id
        ),
        aff AS (
            SELECT s.work_id, s.author_id,
                   list(DISTINCT i.id) FILTER (WHERE i.type = 'company') AS company_ids,
                   list(DISTINCT i.id) FILTER (WHERE i.type = 'education') AS education_ids
            FROM (SELECT work_id, author_id, unnest(institution_ids) AS iid FROM authorships
                  WHERE author_id IN (SELECT author_id FROM me)) s
            JOIN institutions i ON i.id = s.iid
            GROUP BY ALL
        )
        SELECT DISTINCT me.person_id, s.work_id, w.publication_year, w.title,
               coalesce(aff.company_ids, []), coalesce(aff.education_ids, [])
        FROM authorships s
        JOIN me ON me.author_id = s.author_id
        JOIN works w ON w.id = s.work_id
        LEFT JOIN aff ON aff.work_id = s.work_id AND aff.author_id = s.author_id
        ORDER BY 1, 3 NULLS LAST, 2
        """,
        [list(person_ids), list(person_ids), list(person_ids)],
    ).fetchall()
    out: dict[str, list[TimelineWork]] = {p: [] for p in person_ids}
    for pid, wid, year, title, comp, edu in rows:
        out.setdefault(pid, []).append(
            TimelineWork(wid, year, title, tuple(sorted(comp)), tuple(sorted(edu)))
        )
    return out


def person_names(store: Store, person_ids: Sequence[str]) -> dict[str, str]:
    """Person id -> a display name (the person's own author row first, else a linked one)."""
    if not person_ids:
        return {}
    rows = store.con.execute(
        """
        SELECT ap.person_id, a.display_name FROM author_person ap
        JOIN authors a ON a.id = ap.author_id
        WHERE ap.person_id IN (SELECT unnest(?)) AND a.display_name IS NOT NULL
        ORDER BY ap.person_id, (a.id = ap.person_id) DESC, a.is_full DESC, a.id
        """,
        [list(person_ids)],
    ).fetchall()
    out: dict[str, str] = {}
    for pid, name in rows:
        out.setdefault(pid, name)
    return out


def company_institutions(store: Store) -> dict[str, str]:
    """Every institution of type company: id -> display name."""
    rows = store.con.execute(
        "SELECT id, coalesce(display_name, id) FROM institutions WHERE type = 'company' ORDER BY id"
    ).fetchall()
    return dict(rows)
