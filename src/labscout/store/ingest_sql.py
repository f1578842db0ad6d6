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
    pending = store.con.execute(
        "SELECT count(*) FROM authorships a JOIN merged_ids m "
        "ON m.entity = 'authors' AND a.author_id = m.old_id"
    ).fetchone()[0]
    if pending:
        store.apply_merges()
    with store.transaction() as tx:
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
