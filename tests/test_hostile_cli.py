"""No traceback from any command on hostile input (issue 15, item 11 and the settings):
each error is one `Error:` line with a `Hint:` and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from labscout.cli import app

runner = CliRunner()

LATIN1 = "Jos\xe9 M\xfcller, \xe9t\xe9\n".encode("latin-1") + b"\xff\xfe\x00\n"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "d.duckdb"
    result = runner.invoke(app, ["demo", "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    return db


def _one_error(args: list[str], code: int = 2) -> str:
    result = runner.invoke(app, args)
    out = result.output
    assert result.exit_code == code, out
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    assert "Traceback" not in out
    errors = [line for line in out.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, out
    return out


def _files(tmp: Path) -> dict[str, Path]:
    tmp.mkdir(parents=True, exist_ok=True)
    files = {
        "binary": tmp / "bin.toml",
        "latin1": tmp / "latin1.txt",
        "jsondir": tmp / "dir.json",
        "csv": tmp / "t.csv",
    }
    files["binary"].write_bytes(b"\x00\xff\xfe\x80 binary")
    files["latin1"].write_bytes(LATIN1)
    files["jsondir"].mkdir(exist_ok=True)
    files["csv"].write_text("title,authors\nA paper,Ann A\n", encoding="utf-8")
    return files


CASES = {
    "binary config": lambda f, db: ["stats", "--db", db, "--config", str(f["binary"])],
    "batch size 0 in config": lambda f, db: ["stats", "--db", db, "--config", str(f["bs0"])],
    "batch size text in config": lambda f, db: ["stats", "--db", db, "--config", str(f["bsx"])],
    "empty author sep": lambda f, db: [
        "ingest",
        "table",
        str(f["csv"]),
        "--map",
        "title=title,authors=authors",
        "--author-sep",
        "",
        "--db",
        db,
    ],
    "conflicts latin-1 reviewers": lambda f, db: [
        "conflicts",
        "--submissions",
        str(f["subs"]),
        "--reviewers",
        str(f["latin1"]),
        "--db",
        db,
    ],
    "conflicts submissions dir.json": lambda f, db: [
        "conflicts",
        "--submissions",
        str(f["jsondir"]),
        "--reviewers",
        str(f["revs"]),
        "--db",
        db,
    ],
    "conflicts latin-1 submissions": lambda f, db: [
        "conflicts",
        "--submissions",
        str(f["latin1"]),
        "--reviewers",
        str(f["revs"]),
        "--db",
        db,
    ],
    "assign latin-1 scores": lambda f, db: ["assign", "--scores", str(f["latin1"])],
    "assign scores dir": lambda f, db: ["assign", "--scores", str(f["jsondir"])],
    "affinity latin-1 submissions": lambda f, db: [
        "affinity",
        "--submissions",
        str(f["latin1"]),
        "--archives",
        str(f["archives"]),
        "-o",
        str(f["out"]),
        "--embedder",
        "none",
    ],
    "affinity output not writable": lambda f, db: [
        "affinity",
        "--submissions",
        str(f["subs_or"]),
        "--archives",
        str(f["archives"]),
        "-o",
        str(f["jsondir"]),
        "--embedder",
        "none",
    ],
    "affinity hf embedder offline": lambda f, db: [
        "affinity",
        "--submissions",
        str(f["subs_or"]),
        "--archives",
        str(f["archives"]),
        "-o",
        str(f["out"]),
        "--embedder",
        "hf:nobody/no-such-model",
    ],
    "conflicts output not writable": lambda f, db: [
        "conflicts",
        "--submissions",
        str(f["subs"]),
        "--reviewers",
        str(f["revs"]),
        "--db",
        db,
        "-o",
        str(f["jsondir"] / "no" / "such" / "x.csv"),
    ],
    "like-bib /dev/zero": lambda f, db: ["find", "--like-bib", "/dev/zero", "--db", db],
    "like-bib folder": lambda f, db: ["find", "--like-bib", str(f["jsondir"]), "--db", db],
    "top 0": lambda f, db: ["find", "graphs", "--top", "0", "--db", db],
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_hostile_input_is_one_error_line(demo_db: Path, tmp_path: Path, case) -> None:
    f = _files(tmp_path)
    f["bs0"] = tmp_path / "bs0.toml"
    f["bs0"].write_text("batch_size = 0\n")
    f["bsx"] = tmp_path / "bsx.toml"
    f["bsx"].write_text('batch_size = "lots"\n')
    f["subs"] = tmp_path / "subs.json"
    f["subs"].write_text(json.dumps([{"id": "p1", "authors": ["A1"]}]))
    f["revs"] = tmp_path / "revs.txt"
    f["revs"].write_text("A2\n")
    f["archives"] = tmp_path / "archives"
    f["archives"].mkdir()
    (f["archives"] / "~Ann_A1.jsonl").write_text(
        json.dumps({"id": "x", "content": {"title": "Graph networks", "abstract": "On graphs"}})
        + "\n"
    )
    f["subs_or"] = tmp_path / "submissions.json"
    f["subs_or"].write_text(
        json.dumps({"s1": {"id": "s1", "content": {"title": "Graphs", "abstract": "Nets"}}})
    )
    f["out"] = tmp_path / "out.csv"
    out = _one_error(case(f, str(demo_db)))
    assert "Hint:" in out


def test_top_zero_says_so(demo_db: Path) -> None:
    out = _one_error(["find", "graphs", "--top", "0", "--db", str(demo_db)])
    assert "--top 0" in out


def test_settings_validated_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    from labscout.errors import ConfigError
    from labscout.settings import Settings

    for name, value in (
        ("batch_size", 0),
        ("batch_size", -5),
        ("http_timeout", 0),
        ("http_retries", 0),
        ("batch_size", "x"),
        ("http_timeout", float("nan")),
    ):
        with pytest.raises(ConfigError, match=name):
            Settings.load(**{name: value})
    monkeypatch.setenv("LABSCOUT_BATCH_SIZE", "-1")
    with pytest.raises(ConfigError, match="batch_size"):
        Settings.load()


def test_missing_extra_hints_name_an_extra_that_installs_something() -> None:
    from labscout.errors import MissingExtraError

    optional = MissingExtraError("embed", "sentence-transformers")
    assert optional.hint == "pip install 'labscout[embed]'"
    core = MissingExtraError("search", "bm25s")  # a core dependency since 0.2.0
    assert "labscout[search]" not in core.hint and "pip install 'bm25s'" in core.hint
