-- labscout store, schema version 2.
-- Tables in OpenAlex's terms. Ids are unique by construction: the writer
-- deletes and re-inserts a record in one transaction (no PRIMARY KEY
-- constraints, which DuckDB checks too eagerly for delete+insert in one
-- transaction and which slow bulk loads).

CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR NOT NULL,
    value VARCHAR
);

CREATE TABLE IF NOT EXISTS works (
    id VARCHAR NOT NULL,
    doi VARCHAR,                      -- lower case, no https://doi.org/ prefix
    title VARCHAR,
    abstract VARCHAR,                 -- plain text, rebuilt from OpenAlex's inverted index
    publication_year INTEGER,
    publication_date VARCHAR,
    type VARCHAR,
    language VARCHAR,
    cited_by_count INTEGER,
    source_id VARCHAR,                -- the venue's id (OpenAlex Source)
    venue VARCHAR,                    -- the venue's display name
    is_retracted BOOLEAN,
    topics STRUCT(id VARCHAR, display_name VARCHAR, score DOUBLE)[],
    concepts STRUCT(id VARCHAR, display_name VARCHAR, score DOUBLE)[],
    referenced_works VARCHAR[],
    source VARCHAR NOT NULL,          -- which source wrote the row: openalex, dblp, arxiv, ...
    extra JSON,                       -- source-specific fields kept verbatim (status, citation source, ...)
    updated_at TIMESTAMP
);

-- external ids of works: doi, arxiv, dblp, s2, pmid, mag, openreview, ...
CREATE TABLE IF NOT EXISTS work_ids (
    work_id VARCHAR NOT NULL,
    scheme VARCHAR NOT NULL,
    value VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS authors (
    id VARCHAR NOT NULL,
    orcid VARCHAR,                    -- bare ORCID, e.g. 0000-0002-1825-0097
    display_name VARCHAR,
    name_variants VARCHAR[],
    works_count INTEGER,
    cited_by_count INTEGER,
    last_known_institution_ids VARCHAR[],
    source VARCHAR NOT NULL,
    is_full BOOLEAN,                  -- a full author record, not just a name on a work
    updated_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS author_ids (
    author_id VARCHAR NOT NULL,
    scheme VARCHAR NOT NULL,
    value VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS institutions (
    id VARCHAR NOT NULL,
    ror VARCHAR,
    display_name VARCHAR,
    country_code VARCHAR,
    type VARCHAR,                     -- education, company, facility, government, nonprofit, ...
    lineage VARCHAR[],
    source VARCHAR NOT NULL,
    updated_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS authorships (
    work_id VARCHAR NOT NULL,
    author_id VARCHAR NOT NULL,
    author_position VARCHAR,          -- first, middle, last
    position_index INTEGER,
    is_corresponding BOOLEAN,
    raw_author_name VARCHAR,
    raw_affiliation_strings VARCHAR[],
    institution_ids VARCHAR[]         -- institutions at the time of the paper
);

CREATE TABLE IF NOT EXISTS merged_ids (
    entity VARCHAR NOT NULL,          -- works, authors, institutions
    old_id VARCHAR NOT NULL,
    new_id VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id INTEGER NOT NULL,
    source VARCHAR NOT NULL,
    parameters JSON,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    status VARCHAR,                   -- running, finished, failed, stopped
    n_read BIGINT,
    n_inserted BIGINT,
    n_updated BIGINT,
    n_rejected BIGINT,
    resume_cursor VARCHAR,
    message VARCHAR,
    rejects JSON                      -- the first rejected records: location, line, reason
);

-- resume points: one row per (source, key), e.g. a file path or an API query
CREATE TABLE IF NOT EXISTS ingest_progress (
    source VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    cursor VARCHAR,
    done BOOLEAN,
    updated_at TIMESTAMP
);

-- one person across sources (schema version 2; labscout.ingest.identity): each
-- active link says "author_id is the same person as person_id", with the rule
-- and the reason; a split sets undone_at and keeps the row, so that the same
-- merge is not made again
CREATE TABLE IF NOT EXISTS identity_links (
    link_id BIGINT NOT NULL,
    author_id VARCHAR NOT NULL,
    person_id VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,            -- orcid, openalex, dblp, s2, shared-work, name+coauthors, ...
    reason VARCHAR,
    evidence JSON,
    created_at TIMESTAMP,
    undone_at TIMESTAMP
);

-- every author with the person it belongs to (itself when not merged)
CREATE OR REPLACE VIEW author_person AS
SELECT a.id AS author_id, coalesce(l.person_id, a.id) AS person_id
FROM authors a LEFT JOIN identity_links l ON l.author_id = a.id AND l.undone_at IS NULL;
