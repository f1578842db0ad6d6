"""Who the user means: author ids, ORCIDs and names resolved against the store.

A name that matches several people is an :class:`AmbiguousError` listing each
with institution and id; nothing is ever picked silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import duckdb

from labscout.errors import AmbiguousError, NotFoundError
from labscout.graph.results import PersonRef
from labscout.sources.openalex import normalize_orcid, short_id
from labscout.store import Store

if TYPE_CHECKING:
    from labscout.graph.build import CoauthorGraph

MAX_LISTED = 10


def has_identities(store: Store) -> bool:
    """True when identity links merge some author records into one person."""
    try:
        return bool(
            store.con.execute(
                "SELECT EXISTS (SELECT 1 FROM identity_links WHERE undone_at IS NULL)"
            ).fetchone()[0]
        )
    except duckdb.Error:  # a store from before identity links
        return False


def person_authorships(store: Store) -> str:
    """SQL for the authorships table with each author id replaced by its person's id
    (:mod:`labscout.ingest.identity`): one node per person across sources."""
    if not has_identities(store):
        return "authorships"
    return (
        "(SELECT s.work_id, coalesce(ap.person_id, s.author_id) AS author_id, "
        "s.author_position, s.position_index, s.is_corresponding, s.raw_author_name, "
        "s.raw_affiliation_strings, s.institution_ids FROM authorships s "
        "LEFT JOIN author_person ap ON ap.author_id = s.author_id)"
    )


def to_persons(store: Store, ids: list[str]) -> list[str]:
    """Each id replaced by its person's id, without repeats (unchanged without links)."""
    if not ids or not has_identities(store):
        return list(dict.fromkeys(ids))
    rows = store.con.execute(
        "SELECT author_id, person_id FROM author_person WHERE author_id IN (SELECT unnest($i))",
        {"i": list(ids)},
    ).fetchall()
    person = dict(rows)
    return list(dict.fromkeys(person.get(i, i) for i in ids))


def describe_people(store: Store, ids: Iterable[str]) -> dict[str, PersonRef]:
    """Name and institution now of each id: the author's last known institution,
    else the institution on their most recent authorship."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    rows = store.con.execute(
        """
        WITH q AS (SELECT unnest($ids) AS id),
        latest AS (
            SELECT s.author_id, s.institution_ids[1] AS inst, w.publication_year AS y,
                   s.raw_author_name AS raw
            FROM authorships s JOIN q ON q.id = s.author_id
            LEFT JOIN works w ON w.id = s.work_id
        ),
        pick AS (
            SELECT author_id, arg_max(inst, coalesce(y, 0)) FILTER (WHERE inst IS NOT NULL)
                   AS inst, any_value(raw) AS raw
            FROM latest GROUP BY author_id
        )
        SELECT q.id, coalesce(a.display_name, p.raw),
               coalesce(i1.display_name, i2.display_name, a.last_known_institution_ids[1],
                        p.inst)
        FROM q
        LEFT JOIN authors a ON a.id = q.id
        LEFT JOIN pick p ON p.author_id = q.id
        LEFT JOIN institutions i1 ON i1.id = a.last_known_institution_ids[1]
        LEFT JOIN institutions i2 ON i2.id = p.inst
        """,
        {"ids": ids},
    ).fetchall()
    found = {r[0]: PersonRef(id=r[0], display_name=r[1], institution=r[2]) for r in rows}
    return {i: found.get(i, PersonRef(id=i)) for i in ids}


def _exists(store: Store, author_id: str, graph: CoauthorGraph | None = None) -> bool:
    if graph is not None and graph.index_of(author_id) is not None:
        return True  # in the co-author graph: no need to scan the store
    for table, column in (("authors", "id"), ("authorships", "author_id")):
        sql = f"SELECT 1 FROM {table} WHERE {column} = ? LIMIT 1"
        if store.con.execute(sql, [author_id]).fetchone():
            return True
    return False


def resolve_id(store: Store, author_id: str, graph: CoauthorGraph | None = None) -> str:
    """The stored id for ``author_id`` (following merges), or NotFoundError."""
    raw = short_id(author_id.strip()) or author_id
    resolved = to_persons(store, [store.resolve_id("authors", raw)])[0]
    if not _exists(store, resolved, graph):
        raise NotFoundError(
            f"no author with id {author_id} in the store",
            hint="Check the id, or use --from-name/--from-orcid to look the person up.",
        )
    return resolved


def _one(store: Store, ids: list[str], what: str) -> str:
    if not ids:
        raise NotFoundError(
            f"nobody matches {what} in the store",
            hint="Check the spelling, or ingest that person's works first.",
        )
    if len(ids) > 1:
        people = describe_people(store, ids)
        listed = [
            f"{p.display_name or '?'} ({p.institution or 'institution unknown'}) {p.id}"
            for p in list(people.values())[:MAX_LISTED]
        ]
        more = f"; and {len(ids) - MAX_LISTED} more" if len(ids) > MAX_LISTED else ""
        raise AmbiguousError(
            f"{what} matches {len(ids)} people: " + "; ".join(listed) + more,
            hint="Pass the id of the one you mean (--from A... / --to A...).",
        )
    return ids[0]


def resolve_orcid(store: Store, orcid: str) -> str:
    bare = normalize_orcid(orcid) or orcid.strip()
    ids = [
        r[0]
        for r in store.con.execute(
            "SELECT id FROM authors WHERE orcid = ? ORDER BY id", [bare]
        ).fetchall()
    ]
    return _one(store, to_persons(store, ids), f"ORCID {bare}")


def resolve_name(store: Store, name: str) -> str:
    """The one author whose name or name variant is ``name`` (case and accents ignored)."""
    ids = [
        r[0]
        for r in store.con.execute(
            """
            SELECT id FROM authors
            WHERE strip_accents(lower(display_name)) = strip_accents(lower($n))
               OR list_contains(
                    list_transform(coalesce(name_variants, []),
                                   lambda x: strip_accents(lower(x))),
                    strip_accents(lower($n)))
            ORDER BY id
            """,
            {"n": name.strip()},
        ).fetchall()
    ]
    return _one(store, to_persons(store, ids), f"the name '{name.strip()}'")


def resolve_people(
    store: Store,
    ids: Iterable[str] = (),
    orcids: Iterable[str] = (),
    names: Iterable[str] = (),
    graph: CoauthorGraph | None = None,
) -> list[str]:
    """Stored author ids for the people given by id, ORCID or name, without repeats."""
    out = [resolve_id(store, i, graph) for i in ids]
    out += [resolve_orcid(store, o) for o in orcids]
    out += [resolve_name(store, n) for n in names]
    return list(dict.fromkeys(out))
