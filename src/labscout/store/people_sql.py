"""SQL shared by the store's reads about people: who is one person, and where they are now.

``current_institutions_sql`` is the one definition of "a person's current
institution" (see :meth:`PeopleFacts.current_institutions`); the co-author graph
and the conflict check use it over their own tables of ids.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

# every stored authorship with its author id replaced by that author's person id
PERSON_AUTHORSHIPS = (
    "(SELECT s.work_id, coalesce(ap.person_id, s.author_id) AS author_id, "
    "s.author_position, s.position_index, s.is_corresponding, s.raw_author_name, "
    "s.raw_affiliation_strings, s.institution_ids FROM authorships s "
    "LEFT JOIN author_person ap ON ap.author_id = s.author_id)"
)

# the order of "most recent" among one person's authorships
_RECENT = "(coalesce(w.publication_year, -1), coalesce(w.publication_date, ''), s.work_id)"


def has_links(con: duckdb.DuckDBPyConnection) -> bool:
    """True when active identity links merge some author records into one person."""
    try:
        row = con.execute(
            "SELECT EXISTS (SELECT 1 FROM identity_links WHERE undone_at IS NULL)"
        ).fetchone()
    except duckdb.CatalogException:  # a store from before identity links
        return False
    return bool(row[0])


def authorships_sql(con: duckdb.DuckDBPyConnection) -> str:
    """``authorships``, or its person-mapped form when identity links exist."""
    return PERSON_AUTHORSHIPS if has_links(con) else "authorships"


def members_sql(ids: str, linked: bool) -> str:
    """``(id, member)``: each id of the relation ``ids`` and every author id of its person."""
    if not linked:
        return f"SELECT id, id AS member FROM {ids}"
    return f"""
        SELECT id, id AS member FROM {ids}
        UNION SELECT q.id, b.author_id FROM {ids} q
            JOIN author_person a ON a.author_id = q.id
            JOIN author_person b ON b.person_id = a.person_id
        UNION SELECT q.id, b.author_id FROM {ids} q
            JOIN author_person b ON b.person_id = q.id
    """


def current_institutions_sql(ids: str, linked: bool) -> str:
    """``(id, insts, basis, work_id)`` for each id of the relation ``ids`` with an
    institution now; ``basis`` is 'author record' or 'latest work' (``work_id`` set)."""
    return f"""
    WITH m AS ({members_sql(ids, linked)}),
    lk AS (
        SELECT m.id,
               arg_min(a.last_known_institution_ids,
                       (m.member <> m.id, NOT coalesce(a.is_full, false), a.id)) AS insts
        FROM m JOIN authors a ON a.id = m.member
        WHERE len(coalesce(a.last_known_institution_ids, [])) > 0
        GROUP BY m.id
    ),
    latest AS (
        SELECT m.id, arg_max(s.institution_ids, {_RECENT}) AS insts,
               arg_max(s.work_id, {_RECENT}) AS work_id
        FROM m JOIN authorships s ON s.author_id = m.member
        LEFT JOIN works w ON w.id = s.work_id
        WHERE len(coalesce(s.institution_ids, [])) > 0 AND m.id NOT IN (SELECT id FROM lk)
        GROUP BY m.id
    )
    SELECT id, insts, 'author record' AS basis, NULL::VARCHAR AS work_id FROM lk
    UNION ALL SELECT id, insts, 'latest work', work_id FROM latest
    """


@dataclass(frozen=True)
class CurrentInstitution:
    """Where one person is now, and what says so."""

    institution_ids: tuple[str, ...]
    """The institutions, the main one first."""
    basis: str
    """'author record' (its last known institutions) or 'latest work'."""
    work_id: str | None = None
    """The latest work that named them, when that is the basis."""
