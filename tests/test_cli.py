from __future__ import annotations

import json

from typer.testing import CliRunner

from labscout.cli import app

runner = CliRunner()


def test_demo_builds_store_and_prints_result(tmp_path) -> None:
    db = tmp_path / "demo.duckdb"
    result = runner.invoke(app, ["demo", "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    assert "read 195" in result.output
    stats = runner.invoke(app, ["stats", "--db", str(db), "--json"])
    assert json.loads(stats.output)["counts"]["works"] == 195


def test_error_is_one_line_with_hint_and_exit_2(tmp_path) -> None:
    result = runner.invoke(app, ["stats", "--db", str(tmp_path / "missing.duckdb")])
    assert result.exit_code == 2
    assert result.output.startswith("Error: no store at")
    assert "Hint:" in result.output
    assert "Traceback" not in result.output


def test_ingest_missing_file(tmp_path) -> None:
    result = runner.invoke(
        app, ["ingest", "openalex-files", str(tmp_path / "x.json"), "--db", str(tmp_path / "s.db")]
    )
    assert result.exit_code == 2 and "no such file" in result.output


def test_ingest_reports_json(tmp_path, openalex_works_file) -> None:
    result = runner.invoke(
        app,
        [
            "ingest",
            "openalex-files",
            str(openalex_works_file),
            "--db",
            str(tmp_path / "s.db"),
            "--json",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["works_inserted"] == 195


def test_env_setting_is_used(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LABSCOUT_DB", str(tmp_path / "env.duckdb"))
    result = runner.invoke(app, ["settings"])
    assert f"db = '{tmp_path / 'env.duckdb'}'" in result.output


def test_bad_config_file(tmp_path) -> None:
    cfg = tmp_path / "labscout.toml"
    cfg.write_text("nonsense_setting = 1\n")
    result = runner.invoke(app, ["settings", "--config", str(cfg)])
    assert result.exit_code == 2 and "unknown setting" in result.output


def test_every_command_has_help() -> None:
    import typer.main

    group = typer.main.get_command(app)

    def walk(cmd, path):
        for name, sub in getattr(cmd, "commands", {}).items():
            assert sub.help or sub.short_help, f"{' '.join(path + [name])} has no help"
            walk(sub, path + [name])

    walk(group, [])


def test_help_prints_bracketed_text_as_written() -> None:
    out = runner.invoke(app, ["ingest", "dblp", "--help"]).output
    assert "[default: the one beside the XML file]" in out
    out = runner.invoke(app, ["stats", "--help"]).output
    assert "env LABSCOUT_DB" in out


def test_every_command_is_documented() -> None:
    """Each command path (`labscout ingest dblp`, ...) appears in the README or docs/."""
    from pathlib import Path

    import typer.main

    root = Path(__file__).resolve().parents[1]
    text = (root / "README.md").read_text() + "".join(
        p.read_text() for p in (root / "docs").glob("*.md")
    )
    missing = []

    def walk(cmd, path):
        for name, sub in getattr(cmd, "commands", {}).items():
            if f"labscout {' '.join(path + [name])}" not in text:
                missing.append(" ".join(path + [name]))
            walk(sub, path + [name])

    walk(typer.main.get_command(app), [])
    assert not missing, f"commands missing from README/docs: {missing}"
