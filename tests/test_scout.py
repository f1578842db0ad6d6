"""`labscout scout TOPIC` end to end against the recorded OpenAlex exchanges replayed on
127.0.0.1 (tests/test_openalex_api.FakeOpenAlex: real cursor pages, then the real
author and institution records asked for); skips without ../shared/data."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from labscout.cli import app
from test_openalex_api import FakeOpenAlex

TOPIC = "biodiversity AND finance"


@pytest.fixture
def fake(httpserver, shared_data, monkeypatch) -> FakeOpenAlex:
    f = FakeOpenAlex(shared_data)
    httpserver.expect_request(re.compile(".*")).respond_with_handler(f)
    monkeypatch.setenv("LABSCOUT_OPENALEX_BASE_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("OPENALEX_API_KEY", "test-key")
    return f


def _scout(db: str, *args: str) -> object:
    return CliRunner().invoke(app, ["scout", TOPIC, "--max-works", "300", "--db", db, *args])


def test_scout_fetches_indexes_and_answers_then_fetches_nothing_new(fake, tmp_path) -> None:
    db = str(tmp_path / "topic.duckdb")
    first = _scout(db, "-q")
    assert first.exit_code == 0, first.output
    out = first.stdout
    assert "OpenAlex: +300 works (0 updated)" in out
    for heading in ("== Who works on it ==", "== Where: the ladder ==", "== What to read first =="):
        assert heading in out
    assert f"Open the web app on the same store: labscout serve --db {db}" in out
    paths = [p for p, _ in fake.requests]
    assert paths.count("/works") == 3 and "/authors" in paths and "/institutions" in paths
    assert {q["search"] for p, q in fake.requests if p == "/works"} == {TOPIC}
    assert {q["api_key"] for _, q in fake.requests} == {"test-key"}

    n = len(fake.requests)
    again = _scout(db, "-q", "--format", "json")
    assert again.exit_code == 0, again.output
    assert len(fake.requests) == n  # cached: not one request the second time
    data = json.loads(again.stdout)
    assert data["fetch"]["skipped"] and data["index"]["up_to_date"]
    assert data["find"]["matches"] and data["ladder"] and data["reading"]
    # the same answer as `labscout find` on that store, as every interface gives it
    find = CliRunner().invoke(app, ["find", TOPIC, "--db", db, "--format", "json"])
    assert data["find"] == json.loads(find.stdout)


def test_scout_without_a_key_is_one_error_line(fake, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("OPENALEX_API_KEY")
    result = _scout(str(tmp_path / "s.duckdb"))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "Error: no OpenAlex API key", result.stderr
    assert lines[1].startswith("Hint: ") and "OPENALEX_API_KEY" in lines[1] and len(lines) == 2
    assert fake.requests == []


def test_scout_without_network_is_one_error_line(tmp_path, monkeypatch) -> None:
    # nothing listens on port 9 (discard) of 127.0.0.1: the connection is refused at once
    monkeypatch.setenv("LABSCOUT_OPENALEX_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("OPENALEX_API_KEY", "test-key")
    monkeypatch.setenv("LABSCOUT_HTTP_RETRIES", "1")
    result = _scout(str(tmp_path / "s.duckdb"))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("Error: OpenAlex did not answer /works"), result.stderr
    assert "connection failed" in lines[0] and "Traceback" not in result.output
