"""One spelling for each option: walk every command of the Typer app and check that an
option name means the same thing wherever it appears; the old spellings are hidden. And
every HTML page of the web app answers JSON with ``.json`` on the same path."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pytest
import typer.core
import typer.main
from starlette.routing import Route
from starlette.testclient import TestClient
from typer.testing import CliRunner

from labscout.cli import app
from labscout.web import create_app

# the one spelling of each thing, with its short form: every command that writes a file
# takes -o/--output, every output choice is -f/--format, and so on
CANONICAL = {
    "--format": "-f",
    "--output": "-o",
    "--quiet": "-q",
    "--top": "-n",
}
# old spellings, accepted until 0.3 but hidden from --help (CHANGELOG, 0.2.0)
OLD = {"--json", "--out", "--mine-orcid", "--from-orcid", "--from-name"}
# options whose help must read the same everywhere (the same thing, said once)
SAME_HELP = {"--config", "--quiet", "--like", "--like-bib", "--mine", "--reindex"}
# one name, different things, on purpose: each is the plain word in its own command
# (who you know on `path`, your institution on `ladder`/`plan`, a date on `arxiv-oai`)
DIFFERENT_ON_PURPOSE = {"--from"}


def _commands() -> list[tuple[str, Any]]:
    out = []

    def walk(cmd: Any, prefix: list[str]) -> None:
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, [*prefix, name])
        else:
            out.append((" ".join(prefix), cmd))

    walk(typer.main.get_command(app), [])
    return out


def _options() -> dict[str, list[tuple[str, Any]]]:
    by_name: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for name, cmd in _commands():
        for p in cmd.params:
            if isinstance(p, typer.core.TyperOption):
                long = [o for o in p.opts if o.startswith("--")]
                by_name[long[0]].append((name, p))
    return by_name


def test_commands_are_walked() -> None:
    names = {n for n, _ in _commands()}
    assert {"find", "ladder", "index", "stats", "ingest openalex-api", "affinity"} <= names


def test_old_spellings_are_hidden_and_new_ones_shown() -> None:
    for opt, uses in _options().items():
        for cmd, p in uses:
            assert p.hidden == (opt in OLD), f"{cmd} {opt}: hidden={p.hidden}"


def test_one_name_one_meaning() -> None:
    for opt, uses in _options().items():
        if opt in OLD:
            continue
        shorts = {(cmd, tuple(o for o in p.opts if not o.startswith("--"))) for cmd, p in uses}
        want = (CANONICAL[opt],) if opt in CANONICAL else None
        for cmd, short in shorts:
            if want is not None:
                assert short == want, f"{cmd} {opt} should also be {want[0]}, is {short}"
        if opt in DIFFERENT_ON_PURPOSE:
            continue
        assert len({s for _, s in shorts}) == 1, f"{opt} has different short forms: {shorts}"
        flags = {cmd: p.is_flag for cmd, p in uses}
        assert len(set(flags.values())) == 1, f"{opt} is a flag on some commands only: {flags}"
        if opt in SAME_HELP:
            helps = {p.help for _, p in uses}
            assert len(helps) == 1, f"{opt} is explained differently: {helps}"


def test_every_output_choice_is_format_and_every_file_written_is_output() -> None:
    for cmd, p in (u for uses in _options().values() for u in uses):
        if p.hidden:
            continue
        text = (p.help or "").lower()
        if text.startswith("output:"):
            assert "--format" in p.opts, f"{cmd}: an output choice named {p.opts}"
        if "to write" in text or text.startswith("write "):
            assert "--output" in p.opts, f"{cmd}: a file written named {p.opts}"


def test_db_before_the_command(demo_db: str) -> None:
    runner = CliRunner()
    before = runner.invoke(app, ["--db", demo_db, "stats", "--format", "json"])
    after = runner.invoke(app, ["stats", "--db", demo_db, "--json"])  # old spelling too
    assert before.exit_code == 0, before.output
    assert before.output == after.output
    assert '"works": 195' in before.output


@pytest.fixture(scope="module")
def client(demo_db: str) -> TestClient:
    c = TestClient(create_app(demo_db))
    yield c
    c.app.state.labscout.close()


def test_every_html_page_answers_json_on_the_same_path(client: TestClient) -> None:
    top = client.get("/search.json", params={"q": "graph neural networks"}).json()
    match = top["matches"][0]
    values = {
        "author_id": match["author_id"],
        "institution_id": match["institution_id"],
    }
    paths = {r.path for r in client.app.routes if isinstance(r, Route)}
    html = [p for p in paths if not p.endswith(".json") and p != "/"]
    assert "/search" in html and "/read" in html
    for path in html:
        url = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values[m.group(1)], path)
        twin = f"{path}.json" in paths or "{" in path  # /researcher/ID takes ID.json
        assert twin, f"{path} has no .json twin"
        params = {"q": "graph neural networks"}
        page = client.get(url, params=params)
        data = client.get(f"{url}.json", params=params)
        assert page.headers["content-type"].startswith("text/html"), url
        assert data.headers["content-type"] == "application/json", url
        assert data.status_code == page.status_code, url


def test_version() -> None:
    from importlib.metadata import version

    done = CliRunner().invoke(app, ["--version"])
    assert done.exit_code == 0 and done.stdout == f"labscout {version('labscout')}\n"
