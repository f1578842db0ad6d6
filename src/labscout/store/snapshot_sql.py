"""SQL of the snapshot ingest (labscout.ingest.snapshot): raw work lines into store rows.

The functions at the end take the store: read a group of partitions, write
them in one transaction, load a merged-ids CSV.

Temp tables: ``_snap_raw`` (the kept work lines, one per work id) gives
``_snap_w`` (works rows), ``_snap_x`` (one row an authorship), ``_snap_auth``
and ``_snap_inst`` (one row an author / institution id).
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labscout.store.store import Store, WriteCounts

_SOURCE_STRUCT = "STRUCT(id VARCHAR, display_name VARCHAR)"
_TOPIC = (
    "STRUCT(id VARCHAR, display_name VARCHAR, score DOUBLE, "
    "subfield STRUCT(id VARCHAR), field STRUCT(id VARCHAR))"
)
_AUTHORSHIP = (
    "STRUCT(author_position VARCHAR, "
    "author STRUCT(id VARCHAR, display_name VARCHAR, orcid VARCHAR), "
    "institutions STRUCT(id VARCHAR, display_name VARCHAR, ror VARCHAR, country_code VARCHAR, "
    "type VARCHAR, lineage VARCHAR[])[], "
    "is_corresponding BOOLEAN, raw_author_name VARCHAR, raw_affiliation_strings VARCHAR[], "
    "affiliations STRUCT(raw_affiliation_string VARCHAR)[])"
)
MAX_OBJECT_BYTES = 256 * 1024 * 1024  # some works list thousands of authors

WORK_COLUMNS: dict[str, str] = {
    "id": "VARCHAR",
    "doi": "VARCHAR",
    "title": "VARCHAR",
    "display_name": "VARCHAR",
    "publication_year": "INTEGER",
    "publication_date": "VARCHAR",
    "type": "VARCHAR",
    "language": "VARCHAR",
    "cited_by_count": "INTEGER",
    "is_retracted": "BOOLEAN",
    "primary_location": f"STRUCT(source {_SOURCE_STRUCT}, raw_source_name VARCHAR)",
    "topics": f"{_TOPIC}[]",
    "concepts": "STRUCT(id VARCHAR, display_name VARCHAR, score DOUBLE)[]",
    "referenced_works": "VARCHAR[]",
    "ids": "MAP(VARCHAR, VARCHAR)",
    "abstract_inverted_index": "MAP(VARCHAR, INTEGER[])",
    "authorships": f"{_AUTHORSHIP}[]",
}
"""The columns read from each work line; everything else in the line is skipped."""

MACROS = r"""
CREATE OR REPLACE TEMP MACRO _oa_short(x) AS nullif(CASE
    WHEN starts_with(x, 'https://openalex.org/') THEN x[22:]
    WHEN starts_with(x, 'http://openalex.org/') THEN x[21:]
    WHEN starts_with(x, 'openalex.org/') THEN x[14:] ELSE x END, '');
CREATE OR REPLACE TEMP MACRO _oa_last(x) AS regexp_extract(x, '[^/]*$');
CREATE OR REPLACE TEMP MACRO _oa_doi(x) AS nullif(regexp_replace(regexp_replace(
    lower(trim(x)), '^(https://doi\.org/|http://doi\.org/|https://dx\.doi\.org/)', ''),
    '^doi:', ''), '');
CREATE OR REPLACE TEMP MACRO _oa_orcid(x) AS nullif(_oa_last(trim(x)), '');
-- HTML entities decoded once, at ingest (as labscout.sources.text.plain on the Python path)
CREATE OR REPLACE TEMP MACRO _oa_plain(x) AS
    CASE WHEN contains(x, '&') THEN _labscout_plain(x) ELSE x END;
CREATE OR REPLACE TEMP MACRO _oa_topics(xs) AS coalesce(list_transform(
    list_filter(xs, lambda t: coalesce(t.id, '') <> ''),
    lambda t: {'id': coalesce(_oa_short(t.id), ''),
               'display_name': coalesce(_oa_plain(t.display_name), ''),
               'score': t.score}), []);
"""


WORKS_SQL = """
CREATE OR REPLACE TEMP TABLE _snap_w AS
WITH f AS (
    -- the inverted index flattened: positions p, the word at each, in key order
    SELECT wid, flatten(map_values(abstract_inverted_index)) AS p,
           flatten(list_transform(map_entries(abstract_inverted_index),
                                  lambda e: list_transform(e.value, lambda q: e.key))) AS w
    FROM _snap_raw
), ab AS (
    -- words by position; of two words at one position the later key wins
    SELECT wid, CASE WHEN len(p) > 0 THEN coalesce(array_to_string(list_filter(
               list_select(w, g),
               lambda x, i: (i = len(g) OR p[g[i + 1]] <> p[g[i]]) AND x <> ''), ' '), '')
           END AS abstract
    FROM (SELECT *, list_grade_up(p) AS g FROM f)
)
SELECT r.wid AS id, _oa_doi(r.doi) AS doi,
       _oa_plain(coalesce(nullif(r.title, ''), nullif(r.display_name, ''), '')) AS title,
       _oa_plain(ab.abstract) AS abstract,
       r.publication_year, r.publication_date, r.type, r.language, r.cited_by_count,
       _oa_short(r.primary_location.source.id) AS source_id,
       _oa_plain(coalesce(nullif(r.primary_location.source.display_name, ''),
                          r.primary_location.raw_source_name)) AS venue,
       coalesce(r.is_retracted, false) AS is_retracted,
       _oa_topics(r.topics) AS topics, _oa_topics(r.concepts) AS concepts,
       coalesce(list_transform(list_filter(r.referenced_works, lambda x: coalesce(x, '') <> ''),
                               lambda x: coalesce(_oa_short(x), '')), []) AS referenced_works,
       'openalex' AS source, NULL::JSON AS extra, ?::TIMESTAMP AS updated_at
FROM _snap_raw r LEFT JOIN ab USING (wid)
"""

AUTHORSHIPS_SQL = """
CREATE OR REPLACE TEMP TABLE _snap_x AS
WITH x AS (
    SELECT wid, rowid AS line,
           unnest(list_transform(authorships, lambda a, i: {'a': a, 'i': i - 1})) AS x
    FROM _snap_raw
)
SELECT wid, line, x.i AS i, x.a AS a,
       coalesce(_oa_short(x.a.author.id),
                CASE WHEN _oa_orcid(x.a.author.orcid) IS NOT NULL
                     THEN 'orcid:' || _oa_orcid(x.a.author.orcid)
                     ELSE wid || '#' || (x.i + 1) END) AS author_id
FROM x WHERE x.a IS NOT NULL
"""

INSERT_AUTHORSHIPS = """
INSERT INTO authorships
SELECT wid, author_id, coalesce(nullif(a.author_position, ''), 'middle'), i,
       coalesce(a.is_corresponding, false),
       _oa_plain(coalesce(nullif(a.raw_author_name, ''), a.author.display_name)),
       coalesce(list_transform(list_filter(coalesce(a.raw_affiliation_strings,
                                                    list_transform(a.affiliations,
                                                        lambda f: f.raw_affiliation_string)),
                                           lambda s: coalesce(s, '') <> ''),
                               lambda s: _oa_plain(s)), []),
       coalesce(list_transform(list_filter(a.institutions, lambda t: coalesce(t.id, '') <> ''),
                               lambda t: _oa_short(t.id)), [])
FROM _snap_x
QUALIFY row_number() OVER (PARTITION BY wid, author_id ORDER BY i) = 1
"""

AUTHORS_SQL = """
CREATE OR REPLACE TEMP TABLE _snap_auth AS
SELECT author_id AS id,
       arg_min(_oa_orcid(a.author.orcid), (line, i)) AS orcid,
       _oa_plain(arg_min(coalesce(nullif(a.author.display_name, ''),
                                  nullif(a.raw_author_name, ''), author_id),
                         (line, i))) AS display_name
FROM _snap_x GROUP BY author_id
"""

INSTITUTIONS_SQL = """
CREATE OR REPLACE TEMP TABLE _snap_inst AS
WITH t AS (SELECT line, i, unnest(a.institutions) AS t FROM _snap_x)
SELECT _oa_short(t.id) AS id,
       arg_max({'ror': nullif(t.ror, ''), 'display_name': coalesce(_oa_plain(t.display_name), ''),
                'country_code': nullif(t.country_code, ''), 'type': nullif(t.type, ''),
                'lineage': list_transform(coalesce(t.lineage, []),
                                          lambda x: coalesce(_oa_short(x), ''))},
               (line, i)) AS v
FROM t WHERE coalesce(t.id, '') <> '' GROUP BY 1
"""

WORK_IDS_SQL = """
INSERT INTO work_ids
SELECT DISTINCT * FROM (
    SELECT wid, e.key,
           CASE WHEN e.key = 'pmid' THEN _oa_last(e.value) ELSE e.value END
    FROM (SELECT wid, unnest(map_entries(ids)) AS e FROM _snap_raw)
    WHERE e.key NOT IN ('openalex', 'doi') AND coalesce(e.value, '') <> ''
    UNION ALL
    SELECT id, 'arxiv', substr(doi, 16) FROM _snap_w WHERE doi LIKE '10.48550/arxiv.%'
)
"""


def filter_condition(
    fields: tuple[str, ...], subfields: tuple[str, ...], topics: tuple[str, ...], since: int | None
) -> tuple[str, list]:
    """A SQL condition on the raw columns keeping works with a topic in one of ``fields``
    (and ``subfields``, ``topics``; each kind given must match) from ``since`` on."""
    conds: list[str] = []
    params: list[Any] = []
    for values, path in ((fields, "t.field.id"), (subfields, "t.subfield.id")):
        if values:
            conds.append(f"list_has_any(list_transform(topics, lambda t: _oa_last({path})), ?)")
            params.append(list(values))
    if topics:
        conds.append("list_has_any(list_transform(topics, lambda t: _oa_last(t.id)), ?)")
        params.append([t.upper() for t in topics])
    if since is not None:
        conds.append("publication_year >= ?")
        params.append(int(since))
    return (" AND ".join(f"coalesce({c}, false)" for c in conds) or "true"), params


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _columns_sql() -> str:
    return "{" + ", ".join(f"'{k}': '{v}'" for k, v in WORK_COLUMNS.items()) + "}"


def _count(con: Any, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return row[0] if row else 0


def prepare(store: Store) -> int:
    """Define the macros the snapshot SQL uses; returns DuckDB's thread count."""
    known = "SELECT count(*) FROM duckdb_functions() WHERE function_name = '_labscout_plain'"
    if not store.con.execute(known).fetchall()[0][0]:  # a Python function, once a connection
        store.con.create_function("_labscout_plain", html.unescape, ["VARCHAR"], "VARCHAR")
    store.con.execute(MACROS)
    return int(_count(store.con, "SELECT current_setting('threads')"))


def has_merged_ids(store: Store) -> bool:
    return bool(_count(store.con, "SELECT count(*) FROM merged_ids"))


def read_group(
    store: Store, paths: list[Path], where: tuple[str, list]
) -> dict[str, tuple[int, int, int]]:
    """Read ``paths`` into the temp table ``_snap_raw`` (works that pass ``where``).

    Returns per file name: (lines read, works kept, lines without a work id).
    """
    con = store.con
    cond, params = where
    kept = ", ".join(f"CASE WHEN is_work AND keep THEN {c} END AS {c}" for c in WORK_COLUMNS)
    # every line leaves its id; only the works kept leave their other columns. Rows
    # keep the files' order (DuckDB preserves insertion order): rowid is the position
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _snap_raw AS
        SELECT filename, wid, is_work, keep, {kept} FROM (
            SELECT filename, _oa_short(id) AS wid,
                   coalesce(upper(_oa_short(id)) LIKE 'W%', false) AS is_work,
                   coalesce({cond}, false) AS keep, * EXCLUDE (filename)
            FROM read_json({_sql_list(paths)}, format = 'newline_delimited', filename = true,
                           columns = {_columns_sql()}, maximum_object_size = {MAX_OBJECT_BYTES}))
        """,
        params,
    )
    stats = {
        r[0]: (r[1], r[2], r[3])
        for r in con.execute(
            "SELECT filename, count(*), count(*) FILTER (WHERE is_work AND keep), "
            "count(*) FILTER (WHERE NOT is_work OR wid IS NULL) FROM _snap_raw GROUP BY filename"
        ).fetchall()
    }
    con.execute("DELETE FROM _snap_raw WHERE NOT (is_work AND keep)")
    # a work read twice: the later line (the newer partition) wins
    con.execute(
        "DELETE FROM _snap_raw WHERE rowid IN (SELECT rowid FROM _snap_raw "
        "QUALIFY row_number() OVER (PARTITION BY wid ORDER BY rowid DESC) > 1)"
    )
    return stats


def write_group(store: Store, counts: WriteCounts) -> None:
    """Turn ``_snap_raw`` into the store's rows and write them in one transaction."""
    con = store.con
    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    con.execute(WORKS_SQL, [now])
    con.execute(AUTHORSHIPS_SQL)
    con.execute(AUTHORS_SQL)
    con.execute(INSTITUTIONS_SQL)
    c = counts
    try:
        with store.transaction() as tx:
            n = _count(tx, "SELECT count(*) FROM _snap_w")
            old = _count(tx, "SELECT count(*) FROM works WHERE id IN (SELECT id FROM _snap_w)")
            c.works_updated += old
            c.works_inserted += n - old
            for table, col in (
                ("works", "id"),
                ("authorships", "work_id"),
                ("work_ids", "work_id"),
            ):
                tx.execute(f"DELETE FROM {table} WHERE {col} IN (SELECT id FROM _snap_w)")
            tx.execute("INSERT INTO works SELECT * FROM _snap_w")
            tx.execute(INSERT_AUTHORSHIPS)
            tx.execute(WORK_IDS_SQL)
            # a name seen on a work never replaces what is known; it only adds new people
            c.authors_inserted += tx.execute(
                "INSERT INTO authors SELECT id, orcid, display_name, [], NULL, NULL, [], "
                "'openalex', false, ?::TIMESTAMP FROM _snap_auth "
                "WHERE id NOT IN (SELECT id FROM authors)",
                [now],
            ).fetchone()[0]
            n = _count(tx, "SELECT count(*) FROM _snap_inst")
            old = _count(
                tx, "SELECT count(*) FROM institutions WHERE id IN (SELECT id FROM _snap_inst)"
            )
            c.institutions_updated += old
            c.institutions_inserted += n - old
            tx.execute("DELETE FROM institutions WHERE id IN (SELECT id FROM _snap_inst)")
            tx.execute(
                "INSERT INTO institutions SELECT id, v.ror, v.display_name, v.country_code, "
                "v.type, v.lineage, 'openalex', ?::TIMESTAMP FROM _snap_inst",
                [now],
            )
    finally:
        for t in ("_snap_raw", "_snap_w", "_snap_x", "_snap_auth", "_snap_inst"):
            con.execute(f"DROP TABLE IF EXISTS {t}")


def load_merged(store: Store, path: Path, entity: str | None) -> tuple[int, int]:
    """One merged-ids CSV into ``merged_ids`` (the entity given, or from the id's letter).

    Returns (rows without both ids, rows written).
    """
    con = store.con
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _snap_m0 AS SELECT _oa_short(id) AS old_id, "
        "_oa_short(merged_into_id) AS new_id FROM read_csv(?, header = true, all_varchar = true)",
        [str(path)],
    )
    try:
        bad = _count(con, "SELECT count(*) FROM _snap_m0 WHERE old_id IS NULL OR new_id IS NULL")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _snap_m AS SELECT DISTINCT ON (entity, old_id) "
            "coalesce(?, CASE upper(old_id[1]) WHEN 'A' THEN 'authors' "
            "WHEN 'I' THEN 'institutions' ELSE 'works' END) AS entity, old_id, new_id "
            "FROM _snap_m0 WHERE old_id IS NOT NULL AND new_id IS NOT NULL",
            [entity],
        )
        with store.transaction() as tx:
            tx.execute(
                "DELETE FROM merged_ids m WHERE EXISTS (SELECT 1 FROM _snap_m n "
                "WHERE n.entity = m.entity AND n.old_id = m.old_id)"
            )
            merged = tx.execute("INSERT INTO merged_ids SELECT * FROM _snap_m").fetchone()[0]
    finally:
        con.execute("DROP TABLE IF EXISTS _snap_m")
        con.execute("DROP TABLE IF EXISTS _snap_m0")
    return bad, merged
