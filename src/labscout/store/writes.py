"""Writing: batches of records, resume points, merges and ingest runs (a mixin of Store)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import duckdb

from labscout.errors import StoreError
from labscout.records import Author, Institution, MergedId, Work
from labscout.store import batch as B

if TYPE_CHECKING:
    import contextlib

    from labscout.store.transaction import Transaction


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


def _keep(column: str) -> str:
    """The batch's value of ``column``, or the stored one where the batch has nothing."""
    if column == "title":
        return "CASE WHEN trim(coalesce(b.title, '')) = '' THEN w.title ELSE b.title END"
    if column in ("topics", "concepts", "referenced_works"):
        return (
            f"CASE WHEN len(coalesce(b.{column}, [])) = 0 "
            f"THEN coalesce(w.{column}, b.{column}) ELSE b.{column} END"
        )
    if column in ("id", "is_retracted", "source", "updated_at"):
        return f"b.{column}"
    return f"coalesce(b.{column}, w.{column})"


# the batch's works that are already stored, each field the batch leaves empty taken from
# the store, in the order of the works table's columns
KEEP_KNOWN_FIELDS = (
    "CREATE OR REPLACE TEMP TABLE _b_kept AS SELECT "
    + ", ".join(f"{_keep(f.name)} AS {f.name}" for f in B.WORKS_SCHEMA)
    + " FROM _b_works b LEFT JOIN works w ON w.id = b.id"
)


# the ingest runs begun by this process, by store path (see StoreWrites.begin_run)
_RUNS_OF_THIS_PROCESS: dict[str, set[int]] = {}


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


class StoreWrites:
    """What :class:`~labscout.store.Store` writes; every write runs in ``self.transaction()``."""

    con: duckdb.DuckDBPyConnection
    path: str
    read_only: bool
    _tx: Transaction | None

    transaction: Callable[..., contextlib.AbstractContextManager[Transaction]]

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
                source = "_b_works"
                if counts.works_updated:
                    # a record never replaces a known field with nothing (docs/sources.md)
                    con.execute(KEEP_KNOWN_FIELDS)
                    source = "_b_kept"
                con.execute("DELETE FROM works WHERE id IN (SELECT id FROM _b_works)")
                con.execute(f"INSERT INTO works SELECT * FROM {source}")
                if source == "_b_kept":
                    con.execute("DROP TABLE _b_kept")
                con.register("_b_aship", B.authorships_table(works))
                # a work's authors are replaced only by a record that lists authors
                con.execute(
                    "DELETE FROM authorships WHERE work_id IN (SELECT work_id FROM _b_aship)"
                )
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
            with suppress(duckdb.Error):  # a broken connection: the error in flight says why
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
        # a run still 'running' that this process did not begin was killed (SIGKILL, power
        # cut): only one process writes a store at a time, so it is not running now
        mine = sorted(_RUNS_OF_THIS_PROCESS.get(self.path, ()))
        self.con.execute(
            "UPDATE ingest_runs SET status = 'interrupted', finished_at = ?, message = "
            "'the process ended before the run finished (killed?); rerun the same command "
            "to resume' WHERE status = 'running' AND NOT list_contains(?, run_id)",
            [_now(), mine],
        )
        run_id = self.con.execute(
            "SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs"
        ).fetchall()[0][0]
        _RUNS_OF_THIS_PROCESS.setdefault(self.path, set()).add(run_id)
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
