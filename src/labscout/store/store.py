"""Store: open, migrate, write batches idempotently, read records back."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from labscout.errors import NotFoundError, StoreError
from labscout.records import Author, Authorship, Institution, MergedId, Topic, Work
from labscout.store import batch as B
from labscout.store.migrations import migrate
from labscout.store.transaction import Transaction, transaction


@dataclass
class Batch:
    """Records to write in one transaction."""

    works: list[Work] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    institutions: list[Institution] = field(default_factory=list)
    merged: list[MergedId] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.works) + len(self.authors) + len(self.institutions) + len(self.merged)


@dataclass
class WriteCounts:
    works_inserted: int = 0
    works_updated: int = 0
    authors_inserted: int = 0
    authors_updated: int = 0
    institutions_inserted: int = 0
    institutions_updated: int = 0
    merged: int = 0

    def add(self, other: WriteCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def inserted(self) -> int:
        return self.works_inserted + self.authors_inserted + self.institutions_inserted

    @property
    def updated(self) -> int:
        return self.works_updated + self.authors_updated + self.institutions_updated


# WAL size at which DuckDB checkpoints during a bulk load (default otherwise: 16 MB)
BULK_CHECKPOINT_THRESHOLD = "2GB"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _last_wins(records: list, key=lambda r: r.id) -> list:
    return list({key(r): r for r in records}.values())


def _prefer_full(authors: list[Author]) -> list[Author]:
    """One record per id: the last full record, else the first partial one."""
    out: dict[str, Author] = {}
    for a in authors:
        if a.id not in out or a.is_full:
            out[a.id] = a
    return list(out.values())


class Store:
    """One DuckDB file holding works, authors, institutions and authorships.

    ``Store(":memory:")`` gives a throwaway store (tests). ``read_only=True``
    opens an existing file without the write lock (the web app).
    """

    def __init__(self, path: str | Path = "labscout.duckdb", read_only: bool = False) -> None:
        self.path = str(path)
        self.read_only = read_only
        self._tx: Transaction | None = None
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise NotFoundError(
                f"no store at {self.path}",
                hint="Build one first (`labscout demo` or `labscout ingest ...`), or pass --db.",
            )
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.IOException as exc:
            msg = str(exc).splitlines()[0]
            if "lock" in msg.lower():
                raise StoreError(
                    f"the store {self.path} is in use by another process",
                    hint="Wait for the other labscout command to finish, or use another --db.",
                ) from None
            raise StoreError(f"cannot open the store {self.path}: {msg}") from None
        except duckdb.Error as exc:
            raise StoreError(
                f"{self.path} is not a labscout store: {str(exc).splitlines()[0]}",
                hint="Pass --db with the path of a labscout store, or a new path to create one.",
            ) from None
        if read_only:
            from labscout.store.migrations import SCHEMA_VERSION, current_version

            version = current_version(self.con)
            if version is None or version > SCHEMA_VERSION:
                raise StoreError(f"{self.path} is not a labscout store this version can read")
        else:
            migrate(self.con)

    # -- lifecycle -----------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self, bump: bool = True) -> contextlib.AbstractContextManager[Transaction]:
        """``with store.transaction() as tx:``: one transaction, committed at the end.

        Run statements with ``tx.execute`` (or ``tx.executemany``); when they
        change rows, the data version (part of :meth:`fingerprint`, which the
        index and the graph cache compare) is bumped on commit, unless
        ``bump=False`` (bookkeeping such as resume points). An exception rolls
        back and propagates; a failed COMMIT raises :class:`StoreError`. See
        :mod:`labscout.store.transaction`.
        """
        return transaction(self, bump=bump)

    # -- writing -------------------------------------------------------------
    def write(
        self,
        batch: Batch,
        progress: list[tuple[str, str, str | None, bool]] | None = None,
    ) -> WriteCounts:
        """Write ``batch`` and the resume points in ``progress`` in one transaction.

        Idempotent: writing the same records again replaces them and leaves
        the same rows. ``progress`` items are ``(source, key, cursor, done)``.
        """
        if self.read_only:
            raise StoreError("the store is open read-only")
        counts = WriteCounts()
        now = _now()
        with self.transaction() as con:
            if batch.institutions:
                insts = _last_wins(batch.institutions)
                con.register("_b_inst", B.institutions_table(insts, now))
                counts.institutions_updated = con.execute(
                    "SELECT count(*) FROM institutions WHERE id IN (SELECT id FROM _b_inst)"
                ).fetchone()[0]
                counts.institutions_inserted = len(insts) - counts.institutions_updated
                con.execute("DELETE FROM institutions WHERE id IN (SELECT id FROM _b_inst)")
                con.execute("INSERT INTO institutions SELECT * FROM _b_inst")
                con.unregister("_b_inst")
            if batch.authors:
                self._write_authors(_prefer_full(batch.authors), now, counts)
            if batch.works:
                works = _last_wins(batch.works)
                con.register("_b_works", B.works_table(works, now))
                counts.works_updated = con.execute(
                    "SELECT count(*) FROM works WHERE id IN (SELECT id FROM _b_works)"
                ).fetchone()[0]
                counts.works_inserted = len(works) - counts.works_updated
                con.execute("DELETE FROM works WHERE id IN (SELECT id FROM _b_works)")
                con.execute("DELETE FROM authorships WHERE work_id IN (SELECT id FROM _b_works)")
                con.execute("INSERT INTO works SELECT * FROM _b_works")
                con.register("_b_aship", B.authorships_table(works))
                con.execute("INSERT INTO authorships SELECT * FROM _b_aship")
                # external ids: a rewrite replaces the schemes it carries and keeps the
                # others, which another source may have attached (a DBLP key, an arXiv id)
                con.register("_b_wids", B.ids_table(works))
                con.execute(
                    "DELETE FROM work_ids USING _b_wids b "
                    "WHERE work_ids.work_id = b.owner AND work_ids.scheme = b.scheme"
                )
                con.execute("INSERT INTO work_ids SELECT * FROM _b_wids")
                for name in ("_b_works", "_b_aship", "_b_wids"):
                    con.unregister(name)
            if batch.merged:
                for m in _last_wins(batch.merged, key=lambda m: (m.entity, m.old_id)):
                    con.execute(
                        "DELETE FROM merged_ids WHERE entity = ? AND old_id = ?",
                        [m.entity, m.old_id],
                    )
                    con.execute(
                        "INSERT INTO merged_ids VALUES (?, ?, ?)", [m.entity, m.old_id, m.new_id]
                    )
                    counts.merged += 1
            for source, key, cursor, done in progress or ():
                self._set_progress(source, key, cursor, done, now)
        return counts

    def _write_authors(self, authors: list[Author], now: datetime, counts: WriteCounts) -> None:
        con = self._tx
        assert con is not None, "inside Store.write's transaction"
        full = [a for a in authors if a.is_full]
        partial = [a for a in authors if not a.is_full]
        if full:
            con.register("_b_auth", B.authors_table(full, now))
            counts.authors_updated += con.execute(
                "SELECT count(*) FROM authors WHERE id IN (SELECT id FROM _b_auth)"
            ).fetchone()[0]
            counts.authors_inserted += len(full) - counts.authors_updated
            con.execute("DELETE FROM authors WHERE id IN (SELECT id FROM _b_auth)")
            con.execute("DELETE FROM author_ids WHERE author_id IN (SELECT id FROM _b_auth)")
            con.execute("INSERT INTO authors SELECT * FROM _b_auth")
            con.register("_b_aids", B.ids_table(full))
            con.execute("INSERT INTO author_ids SELECT * FROM _b_aids")
            con.unregister("_b_auth")
            con.unregister("_b_aids")
        if partial:
            # a name seen on a work never replaces what is known; it only adds new people
            con.register("_b_auth", B.authors_table(partial, now))
            con.register("_b_aids", B.ids_table(partial))
            # the batch's ids already stored: a semi join that hashes the (small) batch;
            # `NOT IN (SELECT id FROM authors)` would hash every stored author, each batch
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _b_known AS "
                "SELECT id FROM authors WHERE id IN (SELECT id FROM _b_auth)"
            )
            known = con.execute("SELECT count(*) FROM _b_known").fetchone()[0]
            counts.authors_inserted += len(partial) - known
            con.execute(
                "INSERT INTO author_ids SELECT * FROM _b_aids "
                "WHERE owner NOT IN (SELECT id FROM _b_known)"
            )
            con.execute(
                "INSERT INTO authors SELECT * FROM _b_auth "
                "WHERE id NOT IN (SELECT id FROM _b_known)"
            )
            con.execute("DROP TABLE _b_known")
            con.unregister("_b_auth")
            con.unregister("_b_aids")

    def _set_progress(
        self, source: str, key: str, cursor: str | None, done: bool, now: datetime
    ) -> None:
        con = self._tx
        assert con is not None, "inside a transaction"
        con.execute("DELETE FROM ingest_progress WHERE source = ? AND key = ?", [source, key])
        con.execute(
            "INSERT INTO ingest_progress VALUES (?, ?, ?, ?, ?)", [source, key, cursor, done, now]
        )

    @contextmanager
    def bulk_load(self, checkpoint_every: str = BULK_CHECKPOINT_THRESHOLD) -> Iterator[None]:
        """Defer DuckDB's automatic checkpoints while a large ingest writes many batches.

        Each batch is still committed (durable in the write-ahead log) and resumable;
        what is deferred is DuckDB folding the log into the database file, which it
        otherwise does every 16 MB of log, each time rewriting more. One checkpoint
        runs at the end.
        """
        if self.read_only or self.path == ":memory:":
            yield
            return
        con = self.con
        before = con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()[0]
        con.execute(f"SET checkpoint_threshold = '{checkpoint_every}'")
        try:
            yield
        finally:
            con.execute(f"SET checkpoint_threshold = '{before}'")
            with suppress(duckdb.Error):  # a failed checkpoint leaves the log: nothing lost
                con.execute("CHECKPOINT")

    def set_progress(self, source: str, key: str, cursor: str | None, done: bool) -> None:
        with self.transaction(bump=False):
            self._set_progress(source, key, cursor, done, _now())

    def get_progress(self, source: str, key: str) -> tuple[str | None, bool] | None:
        """The saved resume point ``(cursor, done)`` for ``(source, key)``, if any."""
        row = self.con.execute(
            "SELECT cursor, done FROM ingest_progress WHERE source = ? AND key = ?", [source, key]
        ).fetchone()
        return (row[0], bool(row[1])) if row else None

    def apply_merges(self) -> int:
        """Rewrite rows that use merged ids so that they use the surviving ids."""
        n = 0
        with self.transaction() as con:
            # authors: authorships move to the survivor; the old author row goes
            n += con.execute(
                "UPDATE authorships SET author_id = m.new_id FROM merged_ids m "
                "WHERE m.entity = 'authors' AND authorships.author_id = m.old_id"
            ).fetchone()[0]
            con.execute(
                "DELETE FROM authors WHERE id IN "
                "(SELECT old_id FROM merged_ids WHERE entity = 'authors')"
            )
            # works: a merged work whose survivor is stored is dropped, else renamed
            olds = "(SELECT old_id FROM merged_ids WHERE entity = 'works')"
            survivors = (
                "(SELECT m.old_id FROM merged_ids m JOIN works w ON w.id = m.new_id "
                "WHERE m.entity = 'works')"
            )
            for table, col in (("authorships", "work_id"), ("work_ids", "work_id")):
                con.execute(f"DELETE FROM {table} WHERE {col} IN {survivors}")
            n += con.execute(f"DELETE FROM works WHERE id IN {survivors}").fetchone()[0]
            for table, col in (
                ("works", "id"),
                ("authorships", "work_id"),
                ("work_ids", "work_id"),
            ):
                n += con.execute(
                    f"UPDATE {table} SET {col} = m.new_id FROM merged_ids m "
                    f"WHERE m.entity = 'works' AND {table}.{col} = m.old_id AND {col} IN {olds}"
                ).fetchone()[0]
        return n

    # -- ingest runs ---------------------------------------------------------
    def begin_run(self, source: str, parameters: dict[str, Any]) -> int:
        run_id = self.con.execute(
            "SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs"
        ).fetchone()[0]
        self.con.execute(
            "INSERT INTO ingest_runs (run_id, source, parameters, started_at, status, n_read, "
            "n_inserted, n_updated, n_rejected) VALUES (?, ?, ?, ?, 'running', 0, 0, 0, 0)",
            [run_id, source, json.dumps(parameters, default=str), _now()],
        )
        return run_id

    def update_run(self, run_id: int, **values: Any) -> None:
        if "rejects" in values:
            values["rejects"] = json.dumps(values["rejects"])
        if values.pop("finished", False):
            values["finished_at"] = _now()
        sets = ", ".join(f"{k} = ?" for k in values)
        self.con.execute(
            f"UPDATE ingest_runs SET {sets} WHERE run_id = ?", [*values.values(), run_id]
        )

    def last_runs(self, n: int = 5) -> list[dict[str, Any]]:
        cur = self.con.execute(
            "SELECT run_id, source, parameters, started_at, finished_at, status, n_read, "
            "n_inserted, n_updated, n_rejected, message FROM ingest_runs "
            "ORDER BY run_id DESC LIMIT ?",
            [n],
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    # -- reading -------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        out = {}
        for table in ("works", "authors", "institutions", "authorships", "merged_ids"):
            out[table] = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        out["works_with_abstract"] = self.con.execute(
            "SELECT count(*) FROM works WHERE abstract IS NOT NULL AND abstract <> ''"
        ).fetchone()[0]
        out["ingest_runs"] = self.con.execute("SELECT count(*) FROM ingest_runs").fetchone()[0]
        return out

    def fingerprint(self) -> str:
        """Changes whenever stored data changes; indexes record it to detect staleness."""
        version = self.con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[
            0
        ]
        n = self.con.execute("SELECT count(*) FROM works").fetchone()[0]
        return f"works={n};version={version}"

    def resolve_id(self, entity: str, id_: str) -> str:
        """Follow OpenAlex merges from ``id_`` to the surviving id."""
        seen = {id_}
        while True:
            row = self.con.execute(
                "SELECT new_id FROM merged_ids WHERE entity = ? AND old_id = ?", [entity, id_]
            ).fetchone()
            if not row or row[0] in seen:
                return id_
            id_ = row[0]
            seen.add(id_)

    def get_work(self, work_id: str) -> Work:
        work_id = self.resolve_id("works", work_id)
        works = self.get_works([work_id])
        if not works:
            raise NotFoundError(f"no work with id {work_id} in the store")
        return works[0]

    def get_works(self, ids: list[str]) -> list[Work]:
        """Works by id, in the order given; unknown ids are skipped."""
        if not ids:
            return []
        cur = self.con.execute(
            "SELECT id, title, abstract, doi, publication_year, publication_date, type, "
            "language, cited_by_count, source_id, venue, is_retracted, topics, concepts, "
            "referenced_works, source, extra FROM works WHERE id IN (SELECT unnest(?))",
            [list(ids)],
        )
        rows = {r[0]: r for r in cur.fetchall()}
        aship: dict[str, list[Authorship]] = {}
        for r in self.con.execute(
            "SELECT work_id, author_id, author_position, position_index, is_corresponding, "
            "raw_author_name, raw_affiliation_strings, institution_ids FROM authorships "
            "WHERE work_id IN (SELECT unnest(?)) ORDER BY work_id, position_index",
            [list(rows)],
        ).fetchall():
            aship.setdefault(r[0], []).append(
                Authorship(
                    author_id=r[1],
                    author_position=r[2],
                    position_index=r[3],
                    is_corresponding=bool(r[4]),
                    raw_author_name=r[5],
                    raw_affiliation_strings=tuple(r[6] or ()),
                    institution_ids=tuple(r[7] or ()),
                )
            )
        wids: dict[str, list[tuple[str, str]]] = {}
        for wid, scheme, value in self.con.execute(
            "SELECT work_id, scheme, value FROM work_ids WHERE work_id IN (SELECT unnest(?))",
            [list(rows)],
        ).fetchall():
            wids.setdefault(wid, []).append((scheme, value))
        out = []
        for id_ in ids:
            r = rows.get(id_)
            if r is None:
                continue
            out.append(
                Work(
                    id=r[0],
                    title=r[1],
                    abstract=r[2],
                    doi=r[3],
                    publication_year=r[4],
                    publication_date=r[5],
                    type=r[6],
                    language=r[7],
                    cited_by_count=r[8],
                    source_id=r[9],
                    venue=r[10],
                    is_retracted=bool(r[11]),
                    topics=tuple(Topic(**t) for t in r[12] or ()),
                    concepts=tuple(Topic(**t) for t in r[13] or ()),
                    referenced_works=tuple(r[14] or ()),
                    authorships=tuple(aship.get(id_, ())),
                    ids=tuple(sorted(wids.get(id_, ()))),
                    source=r[15],
                    extra=json.loads(r[16]) if r[16] else {},
                )
            )
        return out

    def get_author(self, author_id: str) -> Author:
        author_id = self.resolve_id("authors", author_id)
        r = self.con.execute(
            "SELECT id, display_name, orcid, name_variants, works_count, cited_by_count, "
            "last_known_institution_ids, source, is_full FROM authors WHERE id = ?",
            [author_id],
        ).fetchone()
        if r is None:
            raise NotFoundError(f"no author with id {author_id} in the store")
        ids = self.con.execute(
            "SELECT scheme, value FROM author_ids WHERE author_id = ? ORDER BY scheme, value",
            [author_id],
        ).fetchall()
        return Author(
            id=r[0],
            display_name=r[1],
            orcid=r[2],
            name_variants=tuple(r[3] or ()),
            works_count=r[4],
            cited_by_count=r[5],
            last_known_institution_ids=tuple(r[6] or ()),
            ids=tuple((s, v) for s, v in ids),
            source=r[7],
            is_full=bool(r[8]),
        )

    def get_institution(self, institution_id: str) -> Institution:
        institution_id = self.resolve_id("institutions", institution_id)
        r = self.con.execute(
            "SELECT id, display_name, ror, country_code, type, lineage, source "
            "FROM institutions WHERE id = ?",
            [institution_id],
        ).fetchone()
        if r is None:
            raise NotFoundError(f"no institution with id {institution_id} in the store")
        return Institution(
            id=r[0],
            display_name=r[1],
            ror=r[2],
            country_code=r[3],
            type=r[4],
            lineage=tuple(r[5] or ()),
            source=r[6],
        )

    def current_institutions(self, author_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Author id -> the ids of the institutions the author is at now, first the main one.

        The one rule for "a person's current institution" everywhere:

        1. the author record's ``last_known_institution_ids``, when it has any;
        2. else the ``institution_ids`` of their most recent authorship in the
           store that names one: latest ``publication_year``, then latest
           ``publication_date``, then the greatest work id (so ties are stable);
        3. else the author is left out of the result (institution unknown).

        Ids are taken as given (merged ids are not followed); duplicates in an
        institution list are dropped, keeping the first.
        """
        ids = list(dict.fromkeys(author_ids))
        if not ids:
            return {}
        rows = self.con.execute(
            """
            WITH q AS (SELECT DISTINCT unnest($ids) AS id),
            lk AS (
                SELECT a.id, a.last_known_institution_ids AS insts FROM authors a
                JOIN q ON q.id = a.id WHERE len(coalesce(a.last_known_institution_ids, [])) > 0
            ),
            latest AS (
                SELECT s.author_id AS id,
                       arg_max(s.institution_ids, (coalesce(w.publication_year, -1),
                               coalesce(w.publication_date, ''), s.work_id)) AS insts
                FROM authorships s JOIN q ON q.id = s.author_id
                LEFT JOIN works w ON w.id = s.work_id
                WHERE len(coalesce(s.institution_ids, [])) > 0
                  AND s.author_id NOT IN (SELECT id FROM lk)
                GROUP BY s.author_id
            )
            SELECT id, insts FROM lk UNION ALL SELECT id, insts FROM latest
            """,
            {"ids": ids},
        ).fetchall()
        found = {aid: tuple(dict.fromkeys(insts)) for aid, insts in rows}
        return {i: found[i] for i in ids if i in found}

    def find_work_ids(self, scheme: str, value: str) -> list[str]:
        """Works carrying the external id ``scheme:value`` (doi matches the doi column)."""
        if scheme == "doi":
            return [
                r[0]
                for r in self.con.execute(
                    "SELECT id FROM works WHERE doi = ?", [value.lower()]
                ).fetchall()
            ]
        return [
            r[0]
            for r in self.con.execute(
                "SELECT work_id FROM work_ids WHERE scheme = ? AND lower(value) = lower(?)",
                [scheme, value],
            ).fetchall()
        ]
