"""Hostile store files: SQLite, junk, empty, another DuckDB, a truncated store; and a demo
that must not pour its works into a real store. DuckDB never reaches for the network."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from labscout.cli import app
from labscout.errors import StoreError
from labscout.store import Store

runner = CliRunner()


def _sqlite(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    return path


def test_sqlite_file_is_refused_without_network(tmp_path: Path) -> None:
    f = _sqlite(tmp_path / "x.db")
    with pytest.raises(StoreError) as err:
        Store(f)
    assert "not a labscout store" in err.value.message and "in use" not in err.value.message
    assert "SQLite" in err.value.message
    assert "download" not in err.value.message.lower()


@pytest.mark.parametrize("read_only", [False, True])
@pytest.mark.parametrize(
    "content", [b"", b"hello\n" * 50, bytes(range(256)) * 40], ids=["empty", "text", "binary"]
)
def test_non_duckdb_file_is_not_in_use(tmp_path: Path, content: bytes, read_only: bool) -> None:
    f = tmp_path / "x.duckdb"
    f.write_bytes(content)
    with pytest.raises(StoreError) as err:
        Store(f, read_only=read_only)
    assert "not a labscout store" in err.value.message and "in use" not in err.value.message
    assert f.read_bytes() == content  # never written to


def test_other_duckdb_database_is_refused_untouched(tmp_path: Path) -> None:
    import duckdb

    f = tmp_path / "other.duckdb"
    con = duckdb.connect(str(f))
    con.execute("CREATE TABLE sales (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a labscout store"):
        Store(f)
    con = duckdb.connect(str(f), read_only=True)
    rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    tables = {r[0] for r in rows}
    con.close()
    assert tables == {"sales"}


def test_extension_autoload_and_autoinstall_are_off(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        for name in ("autoinstall_known_extensions", "autoload_known_extensions"):
            value = store.con.execute(f"SELECT current_setting('{name}')").fetchone()[0]
            assert value in (False, "false")


def test_truncated_store_is_one_line(tmp_path: Path) -> None:
    f = tmp_path / "s.duckdb"
    with Store(f) as store:
        store.con.execute("CHECKPOINT")
    data = f.read_bytes()
    f.write_bytes(data[: len(data) // 3])
    result = runner.invoke(app, ["stats", "--db", str(f)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error:") and "Traceback" not in result.output


def test_demo_refuses_to_fill_a_real_store(tmp_path: Path) -> None:
    f = tmp_path / "real.duckdb"
    works = tmp_path / "w.jsonl"
    works.write_text(json.dumps({"id": "https://openalex.org/W1", "title": "Mine"}) + "\n")
    assert (
        runner.invoke(app, ["ingest", "openalex-files", str(works), "--db", str(f)]).exit_code == 0
    )
    result = runner.invoke(app, ["demo", "--db", str(f), "-q"])
    assert result.exit_code == 2 and "Error:" in result.output, result.output
    with Store(f, read_only=True) as store:
        assert store.counts()["works"] == 1


def test_paperlists_force_on_a_store_with_openalex_works(tmp_path: Path, shared_data: Path) -> None:
    from labscout.demo import demo_corpus_path

    f = tmp_path / "s.duckdb"
    ok = runner.invoke(app, ["ingest", "openalex-files", str(demo_corpus_path()), "--db", str(f)])
    assert ok.exit_code == 0, ok.output
    lists = shared_data / "paperlists" / "iclr"
    for extra in ([], ["--force"], ["--force"]):  # the second --force crashed (case 9)
        result = runner.invoke(app, ["ingest", "paperlists", str(lists), "--db", str(f), *extra])
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
