"""One transaction on the store: BEGIN, COMMIT or ROLLBACK, and the data version.

``Store.transaction()`` yields a :class:`Transaction`. Statements run through
``tx.execute`` / ``tx.executemany`` are watched: an INSERT, UPDATE or DELETE
that changes rows marks the transaction as a write, and a write bumps the
store's ``data_version`` (the index and the co-author graph cache compare
:meth:`Store.fingerprint`, which includes it) just before COMMIT. Anything
else (``register``, ``fetchone`` ...) passes through to the DuckDB
connection. A write made on the connection directly is not seen: call
``tx.mark_written()`` after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

import duckdb

from labscout.errors import StoreError

if TYPE_CHECKING:
    from labscout.store.store import Store

_DML = re.compile(r"^\s*(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)

BUMP_DATA_VERSION = (
    "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'data_version'"
)


class _Count:
    """What a watched INSERT/UPDATE/DELETE returns: the one row DuckDB would."""

    def __init__(self, n: int) -> None:
        self.n = n

    def fetchone(self) -> tuple[int]:
        return (self.n,)

    def fetchall(self) -> list[tuple[int]]:
        return [(self.n,)]


class Transaction:
    """The handle ``with store.transaction() as tx:`` yields."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.changed = 0  # rows the watched statements changed (a RETURNING counts as 1)

    def mark_written(self, n: int = 1) -> None:
        """Count ``n`` changed rows made outside ``execute`` (the version will be bumped)."""
        self.changed += n

    def execute(self, sql: str, params: Any = None) -> Any:
        if not _DML.match(sql):
            return self.con.execute(sql, params)
        if _RETURNING.search(sql):
            self.changed += 1
            return self.con.execute(sql, params)
        n = self.con.execute(sql, params).fetchone()[0]
        self.changed += n
        return _Count(n)

    def executemany(self, sql: str, params: Any) -> Any:
        rows = list(params)
        out = self.con.executemany(sql, rows)
        if _DML.match(sql) and rows:
            self.changed += len(rows)
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self.con, name)


@contextmanager
def atomic(con: duckdb.DuckDBPyConnection, where: str) -> Iterator[None]:
    """BEGIN; yield; COMMIT, or ROLLBACK when the block raises (which propagates,
    KeyboardInterrupt too). A failed COMMIT rolls back and raises :class:`StoreError`
    naming ``where``; a ROLLBACK failing after either never hides the first error."""
    con.execute("BEGIN")
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    try:
        con.execute("COMMIT")
    except BaseException as exc:
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        if isinstance(exc, duckdb.Error):
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StoreError(
                f"the commit to {where} failed: {msg}",
                hint="Nothing from this step was saved; run the command again.",
            ) from exc
        raise


@contextmanager
def transaction(store: Store, bump: bool = True) -> Iterator[Transaction]:
    """BEGIN; yield; bump the data version if rows changed (and ``bump``); COMMIT.

    An exception in the block rolls back and propagates (KeyboardInterrupt
    too). A failed COMMIT rolls back and raises :class:`StoreError` saying the
    commit failed; a ROLLBACK failing after it never hides that. Nested
    ``with store.transaction()`` blocks join the outer transaction.
    """
    if store.read_only:
        raise StoreError("the store is open read-only")
    outer = store._tx
    if outer is not None:
        yield outer
        return
    tx = Transaction(store.con)
    store._tx = tx
    try:
        with atomic(store.con, store.path):
            yield tx
            if bump and tx.changed:
                store.con.execute(BUMP_DATA_VERSION)
    finally:
        store._tx = None
