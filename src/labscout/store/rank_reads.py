"""The store reads behind :mod:`labscout.rank.profiles`: who wrote which work, for
every work, as plain pairs (the SQL stays in ``store/``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labscout.store.store import Store


def authorship_pairs(store: Store) -> list[tuple[str, str]]:
    """Every ``(work_id, author_id)`` pair of the store, one per authorship."""
    rows = store.con.execute("SELECT DISTINCT work_id, author_id FROM authorships").fetchall()
    return [(str(w), str(a)) for w, a in rows]
