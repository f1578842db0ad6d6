"""SQL of the snapshot ingest (labscout.ingest.snapshot): raw work lines into store rows.

Temp tables: ``_snap_raw`` (the kept work lines, one per work id) gives
``_snap_w`` (works rows), ``_snap_x`` (one row an authorship), ``_snap_auth``
and ``_snap_inst`` (one row an author / institution id).
"""

from __future__ import annotations

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
CREATE OR REPLACE TEMP MACRO _oa_topics(xs) AS coalesce(list_transform(
    list_filter(xs, lambda t: coalesce(t.id, '') <> ''),
    lambda t: {'id': coalesce(_oa_short(t.id), ''), 'display_name': coalesce(t.display_name, ''),
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
       coalesce(nullif(r.title, ''), nullif(r.display_name, ''), '') AS title,
       ab.abstract,
       r.publication_year, r.publication_date, r.type, r.language, r.cited_by_count,
       _oa_short(r.primary_location.source.id) AS source_id,
       coalesce(nullif(r.primary_location.source.display_name, ''),
                r.primary_location.raw_source_name) AS venue,
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
       coalesce(nullif(a.raw_author_name, ''), a.author.display_name),
       coalesce(list_filter(coalesce(a.raw_affiliation_strings,
                                     list_transform(a.affiliations,
                                                    lambda f: f.raw_affiliation_string)),
                            lambda s: coalesce(s, '') <> ''), []),
       coalesce(list_transform(list_filter(a.institutions, lambda t: coalesce(t.id, '') <> ''),
                               lambda t: _oa_short(t.id)), [])
FROM _snap_x
QUALIFY row_number() OVER (PARTITION BY wid, author_id ORDER BY i) = 1
"""

AUTHORS_SQL = """
CREATE OR REPLACE TEMP TABLE _snap_auth AS
SELECT author_id AS id,
       arg_min(_oa_orcid(a.author.orcid), (line, i)) AS orcid,
       arg_min(coalesce(nullif(a.author.display_name, ''), nullif(a.raw_author_name, ''),
                        author_id), (line, i)) AS display_name
FROM _snap_x GROUP BY author_id
"""

INSTITUTIONS_SQL = """
CREATE OR REPLACE TEMP TABLE _snap_inst AS
WITH t AS (SELECT line, i, unnest(a.institutions) AS t FROM _snap_x)
SELECT _oa_short(t.id) AS id,
       arg_max({'ror': nullif(t.ror, ''), 'display_name': coalesce(t.display_name, ''),
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
