"""A COMMIT that fails (disk full) or is interrupted (Ctrl-C), with a ROLLBACK that fails
after it: the user learns what happened (one line), exit 2, or 130 for Ctrl-C."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from labscout.cli import app, common
from labscout.errors import StoreError
from labscout.ingest import openalex_files
from labscout.store import Store

runner = CliRunner()


class BrokenDisk:
    """A DuckDB connection whose COMMIT raises ``commit_error`` and whose ROLLBACK, and
    every statement after the failed commit, fail as on an invalidated database."""

    def __init__(self, con: duckdb.DuckDBPyConnection, commit_error: BaseException) -> None:
        self._con = con
        self._error = commit_error
        self.broken = False

    def _check(self, sql: str) -> None:
        word = sql.strip().split(None, 1)[0].upper() if sql.strip() else ""
        if word == "COMMIT":
            self.broken = True
            raise self._error
        if self.broken:
            raise duckdb.TransactionException(f"database invalidated ({word})")

    def execute(self, sql: str, params: Any = None) -> Any:
        self._check(sql)
        return self._con.execute(sql, params)

    def executemany(self, sql: str, params: Any = None) -> Any:
        self._check(sql)
        return self._con.executemany(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def _file(tmp_path: Path) -> Path:
    f = tmp_path / "w.jsonl"
    f.write_text(
        "\n".join(
            json.dumps({"id": f"https://openalex.org/W{n}", "title": f"W{n}"}) for n in range(5)
        )
    )
    return f


def _broken_store(path: Path, error: BaseException) -> Store:
    store = Store(path)
    store.con = BrokenDisk(store.con, error)  # type: ignore[assignment]
    return store


def test_failed_commit_is_reported_not_the_rollback(tmp_path: Path) -> None:
    store = _broken_store(tmp_path / "s.duckdb", duckdb.IOException("No space left on device"))
    with pytest.raises(StoreError) as err:
        openalex_files(store, [_file(tmp_path)])
    assert "commit" in err.value.message and "No space left" in err.value.message


def test_interrupted_commit_stays_an_interrupt(tmp_path: Path) -> None:
    store = _broken_store(tmp_path / "s.duckdb", KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        openalex_files(store, [_file(tmp_path)])


@pytest.mark.parametrize(
    ("error", "code"),
    [(duckdb.IOException("No space left on device"), 2), (KeyboardInterrupt(), 130)],
    ids=["disk full", "ctrl-c"],
)
def test_cli_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException, code: int
) -> None:
    monkeypatch.setattr(common, "open_store", lambda s, read_only=False: _broken_store(s.db, error))
    db = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["ingest", "openalex-files", str(_file(tmp_path)), "--db", str(db)])
    assert result.exit_code == code, result.output
    assert (
        "Traceback" not in result.output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )
    lines = [x for x in result.output.splitlines() if x.startswith("Error:")]
    assert len(lines) == 1
    if code == 2:
        assert "commit" in lines[0] and "No space left" in lines[0]


def test_run_killed_by_a_signal_is_marked_interrupted(tmp_path: Path) -> None:
    import subprocess
    import sys

    db = tmp_path / "s.duckdb"
    # another process begins a run and dies without a word (as under SIGKILL)
    code = (
        "import os; from labscout.store import Store; s = Store(os.environ['DB']); "
        "s.begin_run('openalex-files', {}); s.con.execute('CHECKPOINT'); os._exit(9)"
    )
    env = {**__import__("os").environ, "DB": str(db)}
    assert subprocess.run([sys.executable, "-c", code], env=env).returncode == 9
    with Store(db) as store:
        openalex_files(store, [_file(tmp_path)])
        runs = {r["run_id"]: r for r in store.last_runs(5)}
    assert runs[1]["status"] == "interrupted" and "killed" in runs[1]["message"]
    assert runs[2]["status"] == "finished"


def test_sigterm_stops_an_ingest_as_an_interrupt(tmp_path: Path) -> None:
    import os
    import signal

    from labscout.ingest.pipeline import run_ingest

    def items():
        yield [__import__("labscout.records", fromlist=["Work"]).Work(id="W1", title="T")]
        os.kill(os.getpid(), signal.SIGTERM)
        yield [__import__("labscout.records", fromlist=["Work"]).Work(id="W2", title="T")]

    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(KeyboardInterrupt):
            run_ingest(store, "test", {}, items())
        run = store.last_runs(1)[0]
        assert run["status"] == "stopped" and "SIGTERM" in run["message"]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_snapshot_at_once_zero_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "ingest",
            "openalex-snapshot",
            str(tmp_path),
            "--at-once",
            "0",
            "--db",
            str(tmp_path / "s.duckdb"),
        ],
    )
    assert result.exit_code == 2 and "--at-once" in result.output, result.output
