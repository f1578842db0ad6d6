"""Schema versions and forward migrations.

``schema.sql`` creates the current schema on an empty file. Each entry of
``MIGRATIONS`` upgrades a store from version ``n`` to ``n + 1``; stores are
never downgraded.
"""

from __future__ import annotations

from importlib import resources

import duckdb

from labscout.errors import StoreError
from labscout.store.transaction import atomic

SCHEMA_VERSION = 2

# version n -> SQL that brings a store from n to n + 1
MIGRATIONS: dict[int, str] = {
    # 1 -> 2: one person across sources (labscout.ingest.identity); mirrored in schema.sql
    1: """
CREATE TABLE IF NOT EXISTS identity_links (
    link_id BIGINT NOT NULL,
    author_id VARCHAR NOT NULL,
    person_id VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    reason VARCHAR,
    evidence JSON,
    created_at TIMESTAMP,
    undone_at TIMESTAMP
);
CREATE OR REPLACE VIEW author_person AS
SELECT a.id AS author_id, coalesce(l.person_id, a.id) AS person_id
FROM authors a LEFT JOIN identity_links l ON l.author_id = a.id AND l.undone_at IS NULL;
""",
}


def schema_sql() -> str:
    return resources.files("labscout.store").joinpath("schema.sql").read_text(encoding="utf-8")


def current_version(con: duckdb.DuckDBPyConnection) -> int | None:
    has_meta = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
    ).fetchone()[0]
    if not has_meta:
        return None
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else None


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Create or upgrade the schema; return the version now in force."""
    version = current_version(con)
    if version is None:
        with atomic(con, "the new store"):
            con.execute(schema_sql())
            con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?), ('data_version', '0')",
                [str(SCHEMA_VERSION)],
            )
        return SCHEMA_VERSION
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the store has schema version {version}, newer than this labscout ({SCHEMA_VERSION})",
            hint="Upgrade labscout: pip install -U labscout",
        )
    while version < SCHEMA_VERSION:
        with atomic(con, f"the store (migration to version {version + 1})"):
            con.execute(MIGRATIONS[version])
            con.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version + 1)]
            )
        version += 1
    return version
