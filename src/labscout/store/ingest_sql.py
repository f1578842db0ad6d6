"""The SQL that ingest needs beyond :meth:`Store.write`: functions taking the store.

Ingest (``labscout.ingest``) and the sources write no SQL of their own; what
they ask of the store beyond writing batches of records is here: the keys
work matching joins on, identity links, the institutions a source already
gave, and the DBLP name merges.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from labscout.records import Institution
from labscout.store.store import Store


def _scalar(con: Any, sql: str, params: list | None = None) -> Any:
    """The first column of the first row ``sql`` gives (None when there is none).

    Every row is fetched: a result left half-read (``fetchone``) blocks ``register``
    on the connection until it is finished (DuckDB 2)."""
    rows = con.execute(sql, params).fetchall()
    return rows[0][0] if rows else None


# -- sources' own records ----------------------------------------------------


def institution_types(store: Store, source: str) -> dict[str, int]:
    """Institutions of ``source`` in the store by type, most first (None -> ``unknown``)."""
    rows = store.con.execute(
        "SELECT coalesce(type, 'unknown') AS t, count(*) AS n FROM institutions "
        "WHERE source = ? GROUP BY t ORDER BY n DESC, t",
        [source],
    ).fetchall()
    return {t: n for t, n in rows}


def known_institutions(store: Store, source: str) -> dict[str, Institution]:
    """The source's institutions already in the store, by id."""
    rows = store.con.execute(
        "SELECT id, display_name, country_code, type FROM institutions WHERE source = ?", [source]
    ).fetchall()
    return {
        r[0]: Institution(id=r[0], display_name=r[1], country_code=r[2], type=r[3], source=source)
        for r in rows
    }


def follow_name_merges(store: Store) -> None:
    """Authorships and identity links still naming a merged author (DBLP's ``dblp:name/...``)
    move to the author it was merged into."""
    pending = _scalar(
        store.con,
        "SELECT count(*) FROM authorships a JOIN merged_ids m "
        "ON m.entity = 'authors' AND a.author_id = m.old_id",
    )
    if pending:
        store.apply_merges()
    with store.transaction(bump=False) as tx:  # links are not index inputs
        for col in ("author_id", "person_id"):
            tx.execute(
                f"UPDATE identity_links SET {col} = m.new_id FROM merged_ids m "
                f"WHERE m.entity = 'authors' AND identity_links.{col} = m.old_id"
            )
        tx.execute("DELETE FROM identity_links WHERE author_id = person_id")


# -- work matching (labscout.ingest.matching) -------------------------------------


def load_match_titles(store: Store, exclude_source: str | None, key: Any) -> None:
    """Fill the temp table ``_match_titles (id, key, year)`` with ``key(title)`` of every
    stored work with a title (not from ``exclude_source``); empty keys are left out."""
    con = store.con
    con.execute("CREATE OR REPLACE TEMP TABLE _match_titles (id VARCHAR, key VARCHAR, year INT)")
    reader = con.cursor()  # its own result set, while con inserts
    cur = reader.execute(
        "SELECT id, title, publication_year FROM works WHERE title IS NOT NULL"
        + (" AND source <> ?" if exclude_source else ""),
        [exclude_source] if exclude_source else [],
    )
    while rows := cur.fetchmany(50_000):
        ids, keys, years = [], [], []
        for id_, title, year in rows:
            k = key(title)
            if k:
                ids.append(id_)
                keys.append(k)
                years.append(year)
        tbl = pa.table({"id": ids, "key": keys, "year": pa.array(years, pa.int32())})
        con.register("_mt_chunk", tbl)
        con.execute("INSERT INTO _match_titles SELECT * FROM _mt_chunk")
        con.unregister("_mt_chunk")
    reader.close()


def match_keys(
    store: Store, keys: pa.Table, exclude_source: str | None, min_fuzzy_year_title: int
) -> Iterator[tuple[int, str, int]]:
    """``(n, stored work id, rank)`` for the incoming ``keys`` (``n, kind, key, year``), best
    rank first per ``n``: 0 DOI, 1 external id, 2 title + year (3: a year apart, for titles
    of ``min_fuzzy_year_title`` characters or more). Needs :func:`load_match_titles` first."""
    con = store.con
    con.execute("SELECT 1").fetchall()  # finish any result left half-read on the connection
    con.register("_m_keys", keys)
    try:
        params = [exclude_source] * 2 if exclude_source else []
        not_src = " AND w.source <> ?" if exclude_source else ""
        found = con.execute(
            "SELECT k.n, w.id, 0 AS r FROM _m_keys k JOIN works w "
            "ON k.kind = 'doi' AND w.doi = k.key" + not_src + " "
            "UNION ALL SELECT k.n, w.id, 1 FROM _m_keys k JOIN work_ids i "
            "ON k.kind = 'id:' || i.scheme AND i.value = k.key "
            "JOIN works w ON w.id = i.work_id" + not_src + " "
            "UNION ALL SELECT k.n, t.id, 2 + abs(t.year - k.year) FROM _m_keys k "
            "JOIN _match_titles t ON k.kind = 'title' AND t.key = k.key "
            f"AND (t.year = k.year OR (abs(t.year - k.year) = 1 "
            f"AND length(k.key) >= {int(min_fuzzy_year_title)})) "
            "ORDER BY 1, 3, 2",
            params,
        ).fetchall()
    finally:
        con.unregister("_m_keys")
    return iter(found)


# -- identity links (labscout.ingest.identity) ----------------------------------------

LINK_COLUMNS = "link_id, author_id, person_id, rule, reason, evidence, created_at, undone_at"


def links(store: Store, undone: bool) -> list[tuple[str, str]]:
    """``(author_id, person_id)`` of the active links (or of the undone ones)."""
    return store.con.execute(
        "SELECT author_id, person_id FROM identity_links WHERE undone_at IS "
        + ("NOT NULL" if undone else "NULL")
    ).fetchall()


def next_link_id(store: Store) -> int:
    return _scalar(store.con, "SELECT coalesce(max(link_id), 0) + 1 FROM identity_links")


def save_links(store: Store, moved: list[tuple[str, str]], new: list[tuple]) -> None:
    """Move the active links of each (old person, new person) in ``moved``, then add ``new``
    rows (:data:`LINK_COLUMNS`), in one transaction. Links are not index inputs: the data
    version stays."""
    with store.transaction(bump=False) as tx:
        for old, person in moved:
            tx.execute(
                "UPDATE identity_links SET person_id = ? WHERE person_id = ? AND undone_at IS NULL",
                [person, old],
            )
        if new:
            tx.executemany(
                f"INSERT INTO identity_links ({LINK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", new
            )


def strong_ids(store: Store, schemes: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """``(author id, scheme, value)``: each author's ORCID (column ``orcid``), its external
    ids of ``schemes``, and the OpenAlex author ids (``A123``) as scheme ``openalex``."""
    con = store.con
    rows = con.execute(
        "SELECT id, 'orcid', orcid FROM authors WHERE orcid IS NOT NULL AND orcid <> ''"
    ).fetchall()
    placeholders = ", ".join("?" for _ in schemes)
    rows += con.execute(
        f"SELECT author_id, scheme, value FROM author_ids WHERE scheme IN ({placeholders})",
        list(schemes),
    ).fetchall()
    rows += con.execute(
        "SELECT id, 'openalex', id FROM authors WHERE regexp_matches(id, '^A\\d+$')"
    ).fetchall()
    return rows


def author_names(store: Store) -> list[tuple[str, str | None, list[str] | None]]:
    """``(id, display_name, name_variants)`` of every author."""
    return store.con.execute("SELECT id, display_name, name_variants FROM authors").fetchall()


def authorship_names(store: Store) -> list[tuple[str, str, str | None]]:
    """``(work_id, author_id, raw_author_name)`` of every authorship."""
    return store.con.execute(
        "SELECT work_id, author_id, raw_author_name FROM authorships"
    ).fetchall()


def authors_and_persons(store: Store) -> tuple[int, int]:
    """How many author records, and how many persons they are."""
    con = store.con
    authors = _scalar(con, "SELECT count(*) FROM authors")
    persons = _scalar(con, "SELECT count(DISTINCT person_id) FROM author_person")
    return authors, persons


def author_known(store: Store, author_id: str) -> bool:
    """Whether ``author_id`` is an author record or named by a link."""
    con = store.con
    exists = _scalar(con, "SELECT count(*) FROM authors WHERE id = ?", [author_id])
    linked = _scalar(
        con,
        "SELECT count(*) FROM identity_links WHERE author_id = ? OR person_id = ?",
        [author_id, author_id],
    )
    return bool(exists or linked)


def person_links(store: Store, person_id: str) -> list[tuple]:
    """The active links into ``person_id`` (:data:`LINK_COLUMNS`), oldest first."""
    return store.con.execute(
        f"SELECT {LINK_COLUMNS} FROM identity_links WHERE person_id = ? AND undone_at IS NULL "
        "ORDER BY link_id",
        [person_id],
    ).fetchall()


def undone_links(store: Store, author_ids: list[str]) -> list[tuple]:
    """The undone links naming any of ``author_ids`` (:data:`LINK_COLUMNS`), oldest first."""
    return store.con.execute(
        f"SELECT {LINK_COLUMNS} FROM identity_links WHERE undone_at IS NOT NULL "
        "AND (author_id IN (SELECT unnest(?)) OR person_id IN (SELECT unnest(?))) "
        "ORDER BY link_id",
        [author_ids] * 2,
    ).fetchall()


def author_labels(store: Store, author_ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """``id -> (display_name, source)`` for the authors among ``author_ids``."""
    rows = store.con.execute(
        "SELECT id, display_name, source FROM authors WHERE id IN (SELECT unnest(?))",
        [author_ids],
    ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def undo_links(
    store: Store,
    now: Any,
    link_ids: list[int],
    new_person: tuple[str, str] | None,
    restore: list[tuple[str, str, str]],
) -> int:
    """In one transaction: mark ``link_ids`` undone at ``now``; move the person's other
    active links from ``new_person[0]`` to ``new_person[1]``; give each ``(author, work,
    holder)`` in ``restore`` the authorship ``holder`` has on ``work``, when it has none.
    Returns the authorships restored."""
    restored = 0
    with store.transaction() as tx:
        for link_id in link_ids:
            tx.execute("UPDATE identity_links SET undone_at = ? WHERE link_id = ?", [now, link_id])
        if new_person:
            tx.execute(
                "UPDATE identity_links SET person_id = ? WHERE person_id = ? AND undone_at IS NULL",
                [new_person[1], new_person[0]],
            )
        for who, work_id, holder in restore:
            has = _scalar(
                tx,
                "SELECT count(*) FROM authorships WHERE work_id = ? AND author_id = ?",
                [work_id, who],
            )
            if has:
                continue
            restored += _scalar(
                tx,
                "INSERT INTO authorships SELECT work_id, ?, author_position, "
                "position_index, is_corresponding, raw_author_name, raw_affiliation_strings, "
                "institution_ids FROM authorships WHERE work_id = ? AND author_id = ? LIMIT 1",
                [who, work_id, holder],
            )
    return restored
