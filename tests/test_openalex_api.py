"""OpenAlex API ingest against a local server replaying real recorded exchanges.

The works pages are the recorded answers in ../shared/data/openalex/recorded/
(a two-page cursor sequence ending in an empty page, and a 200-work search
page with its real ``x-ratelimit-*`` headers), plus one list page made of the
real works in works_ml_sample.json. ``/authors`` and ``/institutions`` answer
with the real records of authors_sample.json and institutions_sample.json
whose ids were asked for, in the API's list format.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
import yaml
from typer.testing import CliRunner
from werkzeug import Request, Response

from labscout.cli import app
from labscout.errors import ConfigError, InputError, NetworkError, RateLimitError
from labscout.ingest import openalex_api
from labscout.settings import Settings
from labscout.sources.openalex_api import OpenAlexClient
from labscout.store import Store

ML_CURSOR = "ml-sample-page"
# the recorded bodies are stored decoded: drop what described the encoding on the wire
_TRANSPORT_HEADERS = {
    "content-length",
    "content-encoding",
    "transfer-encoding",
}  # the cursor our hand-made page of works_ml_sample answers to


def _cassette(path: Path) -> list[tuple[int, dict[str, str], bytes]]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    out = []
    for it in data["http_interactions"]:
        r = it["response"]
        body = r["body"]["string"] if isinstance(r["body"], dict) else r["body"]
        headers = {
            k: str(v) for k, v in r["headers"].items() if k.lower() not in _TRANSPORT_HEADERS
        }
        out.append(
            (
                r["status"]["code"] if isinstance(r["status"], dict) else r["status"],
                headers,
                body.encode(),
            )
        )
    return out


class FakeOpenAlex:
    """Answers /works by cursor, /authors and /institutions by ``ids.openalex`` filter."""

    def __init__(self, data: Path) -> None:
        rec = data / "openalex" / "recorded"
        status, self.headers, big = _cassette(
            rec / "pro_request_search_biodiversity_AND_fiance.yml"
        )[0]
        assert status == 200
        page1 = (rec / "results_page_1.json").read_bytes()
        end = (rec / "results_page_2.json").read_bytes()
        ml_works = json.loads((data / "openalex" / "works_ml_sample.json").read_text())
        ml_page = json.dumps(
            {
                "meta": {"count": len(ml_works), "next_cursor": ML_CURSOR + "-end"},
                "results": ml_works,
            }
        ).encode()
        c1 = json.loads(page1)["meta"]["next_cursor"]
        c2 = json.loads(big)["meta"]["next_cursor"]
        # "*" -> 2 works -> 200 works -> 195 works -> empty page with next_cursor null
        self.pages = {"*": page1, c1: big, c2: ml_page, ML_CURSOR + "-end": end}
        self.cursors = ["*", c1, c2, ML_CURSOR + "-end"]
        self.entities = {
            "authors": {a["id"].rsplit("/", 1)[-1]: a for a in self._load(data, "authors")},
            "institutions": {
                i["id"].rsplit("/", 1)[-1]: i for i in self._load(data, "institutions")
            },
        }
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.script: list[tuple] = []  # scripted answers: see fail()
        self.override: dict[str, dict[str, str]] = {}  # cursor -> extra headers

    @staticmethod
    def _load(data: Path, entity: str) -> list[dict]:
        return json.loads((data / "openalex" / f"{entity}_sample.json").read_text())

    def fail(self, path, status, times=1, headers=None, body=b"{}", cursor=None) -> None:
        """Answer the next ``times`` requests to ``path`` (at ``cursor``) with ``status``."""
        self.script.extend([(path, cursor, status, headers or {}, body)] * times)

    def __call__(self, request: Request) -> Response:
        query = {k: v[0] for k, v in parse_qs(request.query_string.decode()).items()}
        self.requests.append((request.path, query))
        for n, (path, cursor, status, headers, body) in enumerate(self.script):
            if path == request.path and cursor in (None, query.get("cursor")):
                del self.script[n]
                return Response(
                    body, status=status, headers=headers, content_type="application/json"
                )
        if request.path == "/works":
            cursor = query["cursor"]
            headers = {**self.headers, **self.override.get(cursor, {})}
            return Response(self.pages[cursor], headers=headers)
        entity = request.path.strip("/")
        ids = query["filter"].removeprefix("ids.openalex:").split("|")
        found = [self.entities[entity][i] for i in ids if i in self.entities[entity]]
        body = {"meta": {"count": len(found), "per_page": 50}, "results": found}
        return Response(json.dumps(body), headers=self.headers)

    def works_cursors(self) -> list[str]:
        return [q["cursor"] for p, q in self.requests if p == "/works"]


@pytest.fixture
def fake(httpserver, shared_data) -> FakeOpenAlex:
    f = FakeOpenAlex(shared_data)
    httpserver.expect_request(re.compile(".*")).respond_with_handler(f)
    return f


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def make_client(httpserver, waits):
    def make(**kw) -> OpenAlexClient:
        kw.setdefault("retries", 3)
        return OpenAlexClient(
            httpserver.url_for("/").rstrip("/"),
            api_key="test-key",
            mailto="me@example.org",
            wait_initial=0.001,
            sleep=waits.append,
            **kw,
        )

    return make


def _ingest(store, client, **kw):
    kw.setdefault("search", "biodiversity AND finance")
    return openalex_api(store, settings=Settings(batch_size=150), client=client, **kw)


def _data_counts(store: Store) -> dict[str, int]:
    counts = store.counts()
    counts.pop("ingest_runs")
    counts["full_authors"] = store.con.execute(
        "SELECT count(*) FROM authors WHERE is_full"
    ).fetchone()[0]
    return counts


def test_cursor_pages_then_batched_entities(store, fake, make_client) -> None:
    report = _ingest(store, make_client())
    assert report.status == "finished" and report.rejected == 0
    assert fake.works_cursors() == fake.cursors  # "*", each next_cursor, until the empty page
    works_q = [q for p, q in fake.requests if p == "/works"]
    assert all(
        q["per_page"] == "100" and q["search"] == "biodiversity AND finance" for q in works_q
    )
    assert all(
        q["api_key"] == "test-key" and q["mailto"] == "me@example.org" for _, q in fake.requests
    )
    counts = store.counts()
    assert counts["works"] == report.counts.works_inserted == 2 + 200 + 195
    assert report.read == 397 + 30 + 7  # works, then the full authors and institutions found
    # authors and institutions are looked up 50 ids a call, each id once
    for entity in ("authors", "institutions"):
        asked = [
            q["filter"].removeprefix("ids.openalex:").split("|")
            for p, q in fake.requests
            if p == f"/{entity}"
        ]
        assert asked and all(len(ids) <= 50 for ids in asked)
        flat = [i for ids in asked for i in ids]
        assert len(flat) == len(set(flat))
    # the full records of the ML researchers landed (works_count is only on full records)
    author = store.get_author("A5100691996")
    assert author.is_full and author.works_count and author.name_variants is not None
    assert store.con.execute("SELECT count(*) FROM authors WHERE is_full").fetchone()[0] == 30
    inst_ids = list(fake.entities["institutions"])
    full = [
        i
        for i in inst_ids
        if store.con.execute("SELECT count(*) FROM institutions WHERE id = ?", [i]).fetchone()[0]
    ]
    assert len(full) >= 7
    # finished: the same query again is skipped, --force fetches again with the same counts
    again = _ingest(store, make_client())
    assert again.read == 0 and again.skipped
    forced = _ingest(store, make_client(), force=True)
    assert forced.counts.works_updated == 397 and store.counts()["works"] == 397


def test_since_and_max_works(store, fake, make_client) -> None:
    report = _ingest(store, make_client(), filter="type:article", since=2020, max_works=150)
    assert store.counts()["works"] == report.counts.works_inserted == 150
    q = [q for p, q in fake.requests if p == "/works"]
    assert q[0]["filter"] == "type:article,from_publication_date:2020-01-01"
    assert len(q) == 2  # 2 works, then 148 of the 200: no third page


def test_429_is_retried_after_retry_after(store, fake, make_client, waits) -> None:
    fake.fail("/works", 429, headers={"Retry-After": "7"})
    report = _ingest(store, make_client(), max_works=2)
    assert report.status == "finished" and store.counts()["works"] == 2
    assert waits and waits[0] >= 7  # waited at least what the server asked
    assert fake.works_cursors()[:2] == ["*", "*"]


def test_5xx_retries_then_network_error_store_intact_and_resumable(
    fake, make_client, waits, tmp_path
) -> None:
    db = tmp_path / "s.duckdb"
    fake.fail("/works", 503, times=3, cursor=fake.cursors[1])
    with Store(db) as store:
        with pytest.raises(NetworkError) as info:
            _ingest(store, make_client())
        assert "after 3 attempts" in info.value.message
        assert "resume point saved" in info.value.message
        assert len(waits) == 2 and waits[1] > waits[0]  # exponential backoff
        assert store.counts()["works"] == 2  # the first page and its people are kept
        assert store.last_runs(1)[0]["status"] == "stopped"
    fake.requests.clear()
    with Store(db) as store:
        _ingest(store, make_client())
        assert fake.works_cursors() == fake.cursors[1:]  # resumed after the first page
        resumed = _data_counts(store)
    with Store(":memory:") as fresh:
        _ingest(fresh, make_client())
        assert _data_counts(fresh) == resumed


def test_budget_spent_stops_cleanly_and_resumes(fake, make_client, tmp_path) -> None:
    db = tmp_path / "s.duckdb"
    c1 = fake.cursors[1]
    fake.override[c1] = {"x-ratelimit-remaining": "0", "x-ratelimit-remaining-usd": "0"}
    with Store(db) as store:
        with pytest.raises(RateLimitError) as info:
            _ingest(store, make_client())
        msg = info.value.message
        assert "daily budget" in msg and "resets in 11h" in msg and "202 works" in msg
        assert "resume" in info.value.hint
        assert store.counts()["works"] == 202  # the page that spent the budget is kept
    assert fake.works_cursors() == fake.cursors[:2]
    fake.override.clear()
    fake.requests.clear()
    with Store(db) as store:
        report = _ingest(store, make_client())
        assert report.status == "finished"
        # the authors of the last page come first, then the next page: nothing is asked twice
        assert fake.requests[0][0] == "/authors"
        assert fake.works_cursors() == fake.cursors[2:]
        resumed = _data_counts(store)
    with Store(":memory:") as fresh:
        _ingest(fresh, make_client())
        assert _data_counts(fresh) == resumed


def test_429_with_budget_spent_is_not_retried(store, fake, make_client, waits) -> None:
    fake.fail("/works", 429, headers={**fake.headers, "x-ratelimit-remaining": "0"})
    with pytest.raises(RateLimitError):
        _ingest(store, make_client())
    assert waits == [] and len(fake.requests) == 1


def test_401_says_how_to_get_a_key(store, fake, make_client, shared_data) -> None:
    status, headers, body = _cassette(
        shared_data / "openalex" / "recorded" / "pro_rate_limit_status_401.yml"
    )[0]
    fake.fail("/works", status, headers=headers, body=body)
    with pytest.raises(ConfigError) as info:
        _ingest(store, make_client())
    assert "Invalid or missing API key" in info.value.message
    assert "free API key" in info.value.hint and "OPENALEX_API_KEY" in info.value.hint
    assert len(fake.requests) == 1  # not retried


def test_400_bad_filter_is_an_input_error(store, fake, make_client, shared_data) -> None:
    status, headers, body = _cassette(
        shared_data / "openalex" / "recorded" / "opt_filter_names.yml"
    )[0]
    fake.fail("/works", status, headers=headers, body=body)
    with pytest.raises(InputError) as info:
        _ingest(store, make_client(), filter="DOESNTEXIST:1")
    assert "400" in info.value.message and "DOESNTEXIST" in info.value.message


def test_timeouts_are_retried_then_network_error(store, waits) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadTimeout("slow", request=request)

    client = OpenAlexClient(
        "http://127.0.0.1:9",
        retries=4,
        wait_initial=0.001,
        sleep=waits.append,
        transport=httpx.MockTransport(handler),
        api_key="secret-key",
    )
    with pytest.raises(NetworkError) as info:
        _ingest(store, client)
    assert len(calls) == 4 and len(waits) == 3
    assert "timed out" in info.value.message and "secret-key" not in info.value.message


def test_cli_ingest_by_topic(fake, httpserver, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LABSCOUT_OPENALEX_BASE_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("OPENALEX_API_KEY", "env-key")
    db = str(tmp_path / "s.duckdb")
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "ingest",
            "openalex-api",
            "--search",
            "biodiversity",
            "--max-works",
            "2",
            "--works-only",
            "--db",
            db,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["works_inserted"] == 2
    assert {q["api_key"] for _, q in fake.requests} == {"env-key"}
    assert [p for p, _ in fake.requests] == ["/works"]


def test_cli_401_is_one_line_and_a_hint(fake, httpserver, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LABSCOUT_OPENALEX_BASE_URL", httpserver.url_for("/").rstrip("/"))
    fake.fail("/works", 401, body=b'{"error":"Invalid or missing API key"}')
    result = CliRunner().invoke(
        app, ["ingest", "openalex-api", "--search", "x", "--db", str(tmp_path / "s.duckdb")]
    )
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("Error: ") and lines[1].startswith("Hint: ") and len(lines) == 2


def test_nothing_to_fetch_is_a_config_error(store) -> None:
    with pytest.raises(ConfigError):
        openalex_api(store)
