"""The store reads behind :mod:`labscout.people`: author records by id, ORCID,
external id and name, and the identity mapping (author id -> person id).

Plain functions taking the :class:`~labscout.store.Store`, so that the SQL stays
in ``store/``. A store written before identity links (schema 1, opened read-only)
has no ``identity_links`` table: everyone is then their own person.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    from labscout.store.store import Store

# one normal form for names on both sides of a comparison: accents and case
# ignored, runs of spaces as one
_NAME = "regexp_replace(trim(strip_accents(lower({x}))), '\\s+', ' ', 'g')"


def author_exists(store: Store, author_id: str) -> bool:
    """True when ``author_id`` has an author record or an authorship (the authors
    table, much the smaller, is asked first)."""
    for sql in (
        "SELECT 1 FROM authors WHERE id = ? LIMIT 1",
        "SELECT 1 FROM authorships WHERE author_id = ? LIMIT 1",
    ):
        if store.con.execute(sql, [author_id]).fetchone():
            return True
    return False


def authors_with_orcid(store: Store, orcid: str) -> list[str]:
    """Author records carrying ``orcid`` (case ignored), full records first, then by id."""
    rows = store.con.execute(
        "SELECT id FROM authors WHERE upper(trim(orcid)) = upper(?) ORDER BY is_full DESC, id",
        [orcid],
    ).fetchall()
    return [r[0] for r in rows]


def authors_with_external_id(store: Store, scheme: str, value: str) -> list[str]:
    """Author records carrying the external id ``scheme:value``, full records first."""
    rows = store.con.execute(
        "SELECT DISTINCT a.id, a.is_full FROM author_ids x JOIN authors a ON a.id = x.author_id "
        "WHERE x.scheme = ? AND x.value = ? ORDER BY a.is_full DESC, a.id",
        [scheme, value],
    ).fetchall()
    return [r[0] for r in rows]


def authors_named(store: Store, name: str) -> list[str]:
    """Author records whose display name or a name variant is ``name`` (accents, case
    and runs of spaces ignored), full records first, then by id."""
    norm = _NAME.format(x="$n")
    rows = store.con.execute(
        f"""
        SELECT id FROM authors
        WHERE {_NAME.format(x="display_name")} = {norm}
           OR list_contains(
                list_transform(coalesce(name_variants, []), lambda v: {_NAME.format(x="v")}),
                {norm})
        ORDER BY is_full DESC, id
        """,
        {"n": name},
    ).fetchall()
    return [r[0] for r in rows]


def persons_of(store: Store, author_ids: Sequence[str]) -> dict[str, str]:
    """Author id -> person id for the given ids that an active identity link merges
    into another record (ids that are their own person are left out)."""
    if not author_ids:
        return {}
    try:
        rows = store.con.execute(
            "SELECT author_id, person_id FROM identity_links "
            "WHERE undone_at IS NULL AND author_id IN (SELECT unnest(?)) "
            "AND author_id <> person_id",
            [list(author_ids)],
        ).fetchall()
    except duckdb.CatalogException:  # a store from before identity links
        return {}
    return dict(rows)


def person_members(store: Store, ids: Sequence[str]) -> list[str]:
    """Every author id of the people that ``ids`` name (as a member or as the person)."""
    if not ids:
        return []
    try:
        rows = store.con.execute(
            """
            SELECT DISTINCT b.author_id FROM author_person a
            JOIN author_person b ON a.person_id = b.person_id
            WHERE a.author_id IN (SELECT unnest($i)) OR a.person_id IN (SELECT unnest($i))
            """,
            {"i": list(ids)},
        ).fetchall()
    except duckdb.CatalogException:  # a store from before identity links
        return []
    return [r[0] for r in rows]


def raw_author_name(store: Store, author_id: str) -> str | None:
    """The name one of ``author_id``'s authorships gives (for ids with no author record)."""
    row = store.con.execute(
        "SELECT min(raw_author_name) FROM authorships WHERE author_id = ?", [author_id]
    ).fetchone()
    return row[0] if row else None
