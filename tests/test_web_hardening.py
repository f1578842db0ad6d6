"""The web app against hostile data and under load (issue 15): links from the data,
security headers, 405 with Allow, no writes from GET requests, answers from threads."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from labscout.core import Labscout
from labscout.index.build import SUFFIX, build_index
from labscout.records import Author, Authorship, Institution, Work
from labscout.store import Batch, Store
from labscout.web import create_app
from labscout.web.security import SECURITY_HEADERS, external_url

Q = "graph neural networks"


# -- links from the data (case 7) ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "out"),
    [
        ("javascript:alert(document.cookie)", "ror", None),
        ("JavaScript:alert(1)", None, None),
        ("data:text/html,<script>alert(1)</script>", None, None),
        ("https://evil.example/03yrm5c26", "ror", None),
        ("https://ror.org@evil.example/x", "ror", None),
        ("https://ror.org/03yrm5c26", "ror", "https://ror.org/03yrm5c26"),
        ("03yrm5c26", "ror", "https://ror.org/03yrm5c26"),
        ("https://ror.org/x\" onmouseover=\"alert(1)", "ror", None),
        ("10.1000/xyz123", "doi", "https://doi.org/10.1000/xyz123"),
        ("https://dx.doi.org/10.1000/xyz123", "doi", "https://dx.doi.org/10.1000/xyz123"),
        ("javascript://doi.org/%0aalert(1)", "doi", None),
        ("0000-0002-1825-0097", "orcid", "https://orcid.org/0000-0002-1825-0097"),
        ("http://orcid.org.evil.example/0000-0002-1825-0097", "orcid", None),
        ("W2741809807", "openalex", "https://openalex.org/W2741809807"),
        ("https://example.org/page", None, "https://example.org/page"),
        ("", "ror", None),
        (None, "ror", None),
    ],
)
def test_external_url_only_http_to_the_expected_host(value, kind, out) -> None:
    assert external_url(value, kind) == out


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    institutions = [
        Institution("I1", "Evil University", ror="javascript:alert(document.cookie)",
                    type="education"),  # fmt: skip
        Institution("I2", "Good University", ror="https://ror.org/03yrm5c26", type="education"),
        Institution("I3", "Elsewhere University", ror="https://evil.example/03yrm5c26",
                    type="education"),  # fmt: skip
    ]
    works = [
        Work(
            id=f"W{i}",
            title=f"graph neural networks study {i}",
            abstract="message passing on graphs",
            publication_year=2024,
            authorships=(Authorship(f"A{i}", "last", 0, institution_ids=(f"I{i}",)),),
        )
        for i in (1, 2, 3)
    ]
    with Store(path) as s:
        s.write(Batch(works=works, institutions=institutions))
        s.write(Batch(authors=[Author("A1", "Ann Evil", orcid="javascript:alert(2)",
                                      is_full=True)]))  # fmt: skip
        build_index(s, cache=False)
    return str(path)


def test_a_javascript_ror_never_renders_as_a_link(hostile_db: str) -> None:
    with TestClient(create_app(hostile_db)) as client:
        evil = client.get("/institution/I1").text
        good = client.get("/institution/I2").text
        elsewhere = client.get("/institution/I3").text
        person = client.get("/researcher/A1").text
    assert "javascript:" not in evil.replace("ROR javascript:", "")  # shown as text only
    assert 'href="javascript' not in evil.lower() and ">ROR</a>" not in evil
    assert '<a href="https://ror.org/03yrm5c26" rel="noopener noreferrer">ROR</a>' in good
    assert "evil.example" not in elsewhere.split("ROR")[0] and 'href="https://evil' not in elsewhere
    assert 'href="javascript' not in person.lower()


# -- headers and methods ----------------------------------------------------------


@pytest.fixture(scope="module")
def client(demo_db: str):
    c = TestClient(create_app(demo_db))
    yield c
    c.app.state.labscout.close()


@pytest.mark.parametrize(
    "url",
    ["/", f"/?q={Q}", f"/search.json?q={Q}", "/read", "/static/style.css", "/no/such/page",
     "/researcher/A0.json"],
)  # fmt: skip
def test_security_headers_on_every_response(client: TestClient, url: str) -> None:
    r = client.get(url)
    for name, value in SECURITY_HEADERS.items():
        assert r.headers.get(name) == value, (url, name)
    assert "script-src" not in r.headers["Content-Security-Policy"]  # none may run


@pytest.mark.parametrize("url", ["/", "/search.json", "/researcher/A1", "/static/style.css"])
def test_405_says_which_methods_are_allowed(client: TestClient, url: str) -> None:
    r = client.post(url, data={"q": Q})
    assert r.status_code == 405
    assert "GET" in r.headers["Allow"]
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "Traceback" not in r.text


# -- no writes from GET requests ------------------------------------------------------


def _mtimes(*paths: Path) -> dict[str, int]:
    out = {}
    for p in paths:
        for q in [p, *(p.rglob("*") if p.is_dir() else [])]:
            out[str(q)] = q.stat().st_mtime_ns
    return out


def test_get_requests_write_nothing(demo_db: str, tmp_path, monkeypatch) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "demo.duckdb"
    shutil.copy(demo_db, db)
    shutil.copytree(demo_db + SUFFIX, str(db) + SUFFIX)
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("LABSCOUT_CACHE_DIR", str(cache))
    watched = (folder, db, Path(str(db) + SUFFIX), cache)
    before = _mtimes(*watched)
    with TestClient(create_app(str(db), load=True)) as c:
        data = c.get("/search.json", params={"q": Q}).json()
        aid = data["matches"][0]["author_id"]
        profile = c.get(f"/researcher/{aid}.json").json()
        coauthor = profile["top_coauthors"][0]["author_id"]
        # a co-author path needs the co-author graph, which used to be cached on disk
        assert c.get(f"/researcher/{aid}", params={"from": coauthor}).status_code == 200
        assert c.get("/path.json", params={"to": aid, "from": coauthor}).json()[0]["hops"] == 1
        assert c.get("/", params={"q": Q, "tab": "ladder"}).status_code == 200
        assert c.get("/read.json", params={"q": Q}).status_code == 200
        c.app.state.labscout.close()
    assert _mtimes(*watched) == before
    assert sorted(os.listdir(folder)) == sorted(["demo.duckdb", "demo.duckdb" + SUFFIX])


# -- answers from several threads at once ---------------------------------------------


def test_concurrent_requests_from_threads_give_the_right_answers(client: TestClient) -> None:
    urls = [
        f"/search.json?q={q}"
        for q in (Q, "protein structure", "reinforcement learning", "language models")
    ]
    urls += [f"/search.json?q={Q}&tab=ladder", f"/read.json?q={Q}"]
    expected = {u: client.get(u).content for u in urls}
    got: list[tuple[str, bytes]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        try:
            for j in range(6):
                u = urls[(k + j) % len(urls)]
                body = client.get(u).content
                with lock:
                    got.append((u, body))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(got) == 48
    for u, body in got:
        assert body == expected[u], u


def test_calls_read_through_cursors_of_their_own(demo_db: str) -> None:
    with Labscout(demo_db) as ls:
        assert ls.per_thread
        seen: dict[str, int] = {}
        answers: dict[str, bytes] = {}
        reference = ls.find(Q).to_json()
        start = threading.Barrier(4)

        def worker(name: str) -> None:
            seen[name] = id(ls.store)  # outside a call: a cursor kept for the thread
            start.wait()
            answers[name] = ls.find(Q).to_json()

        threads = [threading.Thread(target=worker, args=(f"t{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(set(seen.values()) | {id(ls.store)}) == 5  # 4 cursors + the main store
        assert all(a == reference for a in answers.values())
        assert all(s.read_only for s in ls._cursors)
        # cursors are reused: many short-lived threads do not open one each
        n = len(ls._cursors)
        for _ in range(10):
            t = threading.Thread(target=lambda: ls.researcher(ls.find(Q).matches[0].author_id))
            t.start()
            t.join()
        assert len(ls._cursors) <= n + 1


def test_a_writable_store_is_shared_under_the_lock(tmp_path) -> None:
    with Store(tmp_path / "w.duckdb") as s, Labscout(s) as ls:
        assert not ls.per_thread
        ids = []
        t = threading.Thread(target=lambda: ids.append(id(ls.store)))
        t.start()
        t.join()
        assert ids == [id(s)]


def test_serve_on_a_missing_store_is_one_line_before_any_worker_starts(tmp_path) -> None:
    from typer.testing import CliRunner

    from labscout.cli import app

    for workers in ("1", "2"):
        result = CliRunner().invoke(
            app, ["serve", "--db", str(tmp_path / "none.duckdb"), "--workers", workers]
        )
        assert result.exit_code == 2, result.output
        assert "no store at" in result.output and "Traceback" not in result.output
