"""The people of the co-author graph: person ids for the references the user gives
(resolved by :mod:`labscout.people`), and their names and institutions now."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import duckdb

from labscout.graph.results import PersonRef
from labscout.people import resolve_people as resolve_people_refs
from labscout.people import resolve_person_id
from labscout.store import Store

if TYPE_CHECKING:
    from labscout.graph.build import CoauthorGraph


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


def resolve_id(store: Store, author_id: str, graph: CoauthorGraph | None = None) -> str:
    """The person id of anyone :func:`labscout.people.resolve_person` takes (an author
    id, ORCID, profile URL or exact name), or NotFoundError / AmbiguousError."""
    return resolve_person_id(store, author_id)


def resolve_people(
    store: Store,
    ids: Iterable[str] = (),
    orcids: Iterable[str] = (),
    names: Iterable[str] = (),
    graph: CoauthorGraph | None = None,
) -> list[str]:
    """Person ids (the co-author graph's nodes) for the people given, without repeats.

    Every reference takes any form :func:`labscout.people.resolve_person` reads;
    ``ids``, ``orcids`` and ``names`` are kept apart only for the CLI's options.
    With ``graph``, the records of one ORCID that are not merged yet each give
    their node.
    """
    out: list[str] = []
    for p in resolve_people_refs(store, [*ids, *orcids, *names]):
        nodes = [a for a in p.author_ids if graph is not None and graph.index_of(a) is not None]
        out += nodes if nodes and p.matched_by == "orcid" else [p.id]
    return list(dict.fromkeys(out))
