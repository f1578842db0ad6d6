"""Store: open, migrate, and one transaction at a time; reads and writes are mixins."""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb

from labscout.errors import NotFoundError, StoreError
from labscout.store.migrations import migrate
from labscout.store.network import NetworkReads
from labscout.store.reads import RecordReads
from labscout.store.research import ResearchReads
from labscout.store.transaction import Transaction, transaction
from labscout.store.writes import BULK_CHECKPOINT_THRESHOLD, Batch, StoreWrites, WriteCounts

__all__ = ["BULK_CHECKPOINT_THRESHOLD", "Batch", "Store", "WriteCounts"]

# DuckDB never installs or loads an extension by itself (it would download one for a
# SQLite file given as the store): the store needs none
OFFLINE = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

_DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


def _not_a_store(path: str, why: str) -> StoreError:
    return StoreError(
        f"{path} is not a labscout store ({why})",
        hint="Pass --db with the path of a labscout store, or a new path to create one.",
    )


def _check_file(path: str) -> None:
    """Refuse an existing file that is not a DuckDB database, before DuckDB opens it."""
    if path == ":memory:":
        return
    p = Path(path)
    if p.is_dir():
        raise _not_a_store(path, "a folder")
    if not p.exists():
        return
    try:
        with open(p, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise StoreError(f"cannot read the store {path}: {exc.strerror or exc}") from None
    if not head:
        raise _not_a_store(path, "an empty file; delete it to create a store there")
    if head.startswith(b"SQLite format 3"):
        raise _not_a_store(path, "a SQLite database")
    if head[8:12] != _DUCKDB_MAGIC:
        raise _not_a_store(path, "not a DuckDB file")


class Store(StoreWrites, RecordReads, ResearchReads, NetworkReads):
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
        _check_file(self.path)
        try:
            self.con = duckdb.connect(self.path, read_only=read_only, config=OFFLINE)
        except duckdb.IOException as exc:
            msg = str(exc).splitlines()[0]
            if "could not set lock" in msg.lower() or "conflicting lock" in msg.lower():
                raise StoreError(
                    f"the store {self.path} is in use by another process",
                    hint="Wait for the other labscout command to finish; if `labscout serve` "
                    "holds it, stop the server to write (reading commands work alongside it), "
                    "or use another --db.",
                ) from None
            if "not a valid duckdb database" in msg.lower():
                raise _not_a_store(self.path, "not a DuckDB file") from None
            raise StoreError(f"cannot open the store {self.path}: {msg}") from None
        except duckdb.Error as exc:
            raise StoreError(
                f"{self.path} is not a labscout store: {str(exc).splitlines()[0]}",
                hint="Pass --db with the path of a labscout store, or a new path to create one.",
            ) from None
        try:
            self._check_schema()
        except BaseException:
            self.con.close()
            raise

    def _check_schema(self) -> None:
        """Refuse a DuckDB file holding other tables; migrate (or, read-only, check) ours."""
        from labscout.store.migrations import SCHEMA_VERSION, current_version

        try:
            version = current_version(self.con)
            n_tables = self.con.execute(
                "SELECT count(*) FROM information_schema.tables"
            ).fetchone()[0]
        except duckdb.Error as exc:
            raise _not_a_store(self.path, str(exc).splitlines()[0]) from None
        if version is None and n_tables:
            raise _not_a_store(self.path, f"a DuckDB database with {n_tables} other table(s)")
        if self.read_only:
            if version is None or version > SCHEMA_VERSION:
                raise StoreError(f"{self.path} is not a labscout store this version can read")
        else:
            migrate(self.con)

    # -- lifecycle -----------------------------------------------------------
    def cursor(self) -> Store:
        """Another ``Store`` over this open database with a DuckDB cursor of its own
        (``con.cursor()``): one a thread, so threads query at once. Close it before
        this one."""
        other = object.__new__(type(self))
        other.path, other.read_only, other._tx = self.path, self.read_only, None
        other.con = self.con.cursor()
        return other

    def close(self) -> None:
        with contextlib.suppress(duckdb.Error):  # a connection a failed commit broke
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
