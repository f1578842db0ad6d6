"""The people of the co-author graph: person ids for the references the user gives
(resolved by :mod:`labscout.people`), and their names and institutions now."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from labscout.graph.results import PersonRef
from labscout.people import resolve_people as resolve_people_refs
from labscout.people import resolve_person_id
from labscout.store import Store

if TYPE_CHECKING:
    from labscout.graph.build import CoauthorGraph


def describe_people(store: Store, ids: Iterable[str]) -> dict[str, PersonRef]:
    """Name and institution now of each id (:meth:`Store.current_institutions`, the
    main one's name); an id the store does not know gets an empty reference."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    names = store.names_or_raw(ids)
    current = {i: insts[0] for i, insts in store.current_institutions(ids).items()}
    inst_names = store.display_names("institutions", sorted(set(current.values())))
    return {
        i: PersonRef(
            id=i,
            display_name=names.get(i),
            institution=inst_names.get(current[i], current[i]) if i in current else None,
        )
        for i in ids
    }


def resolve_id(store: Store, author_id: str) -> str:
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
