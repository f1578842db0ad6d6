"""Hostile servers: a captive portal, empty or JSON bodies where OAI-PMH XML belongs,
a repeating resumption token or cursor, odd rate-limit headers. Local servers only."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from labscout.errors import LabscoutError, NetworkError
from labscout.ingest import arxiv_oai, openalex_api
from labscout.settings import Settings
from labscout.sources.arxiv import OaiClient
from labscout.sources.openalex_api import OpenAlexClient, RateLimit
from labscout.store import Store

OAI_NS = "http://www.openarchives.org/OAI/2.0/"


def _oai_page(n: int, token: str | None) -> str:
    rec = (
        f"<record><header><identifier>oai:arXiv.org:2401.{n:05d}</identifier></header>"
        '<metadata><arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/">'
        f"<id>2401.{n:05d}</id><title>Paper {n}</title><authors>Ann A and Bob B</authors>"
        '<version version="v1"><date>Mon, 1 Jan 2024 00:00:00 GMT</date></version>'
        "</arXivRaw></metadata></record>"
    )
    tok = f'<resumptionToken completeListSize="9">{token}</resumptionToken>' if token else ""
    return (
        f'<?xml version="1.0"?><OAI-PMH xmlns="{OAI_NS}"><ListRecords>{rec}{tok}'
        "</ListRecords></OAI-PMH>"
    )


def _serve(httpserver: HTTPServer, pages: dict[str | None, tuple[str, str]]) -> list[str]:
    """Answer each request by its resumptionToken (None: the first page)."""
    asked: list[str] = []

    def handler(request: Request) -> Response:
        token = request.args.get("resumptionToken")
        asked.append(token or "")
        body, ctype = pages[token]
        return Response(body, 200, content_type=ctype)

    httpserver.expect_request("/oai").respond_with_handler(handler)
    return asked


def _harvest(store: Store, httpserver: HTTPServer, **kw: Any):
    client = OaiClient(httpserver.url_for("/oai"), delay=0, retries=1, sleep=lambda s: None)
    return arxiv_oai(store, client=client, match=False, **kw)


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        ("<html><body><h1>Log in to the Wi-Fi</h1></body></html>", "text/html"),
        ("", "text/xml"),
        ('{"error": "no"}', "application/json"),
        ("<?xml version='1.0'?><feed/>", "text/xml"),
    ],
    ids=["captive portal html", "empty", "json", "other xml"],
)
def test_non_oai_page_is_a_network_fault_token_kept(
    store: Store, httpserver: HTTPServer, body: str, ctype: str
) -> None:
    pages = {None: (_oai_page(1, "t1"), "text/xml"), "t1": (body, ctype)}
    _serve(httpserver, pages)
    with pytest.raises(NetworkError) as err:
        _harvest(store, httpserver)
    assert "OAI-PMH" in err.value.message and "\n" not in err.value.message
    run = store.last_runs(1)[0]
    assert run["status"] == "stopped"
    assert store.con.execute("SELECT count(*) FROM works").fetchone()[0] == 1
    # fixed server: the rerun resumes from the kept token, not from the start
    pages["t1"] = (_oai_page(2, None), "text/xml")
    httpserver.clear()
    asked = _serve(httpserver, pages)
    report = _harvest(store, httpserver)
    assert report.status == "finished" and asked == ["t1"]
    assert store.con.execute("SELECT count(*) FROM works").fetchone()[0] == 2


def test_repeating_resumption_token_is_detected(store: Store, httpserver: HTTPServer) -> None:
    pages = {None: (_oai_page(1, "t1"), "text/xml"), "t1": (_oai_page(2, "t1"), "text/xml")}
    asked = _serve(httpserver, pages)
    with pytest.raises(NetworkError, match="repeat"):
        _harvest(store, httpserver)
    assert len(asked) <= 3


def test_oai_client_uses_the_timeout_setting(httpserver: HTTPServer) -> None:
    client = OaiClient(httpserver.url_for("/oai"), delay=0, timeout=2.5)
    assert client.http.timeout.read == 2.5
    client.close()


def test_oai_retry_after_is_capped(httpserver: HTTPServer) -> None:
    waits: list[float] = []
    httpserver.expect_request("/oai").respond_with_data(
        "busy", status=503, headers={"Retry-After": "1e12"}
    )
    client = OaiClient(httpserver.url_for("/oai"), delay=0, retries=2, sleep=waits.append)
    with pytest.raises(NetworkError):
        client.get({"verb": "Identify"})
    assert waits and max(waits) <= 120


# -- OpenAlex ---------------------------------------------------------------
def _openalex(handler) -> OpenAlexClient:
    return OpenAlexClient(
        "http://openalex.test",
        api_key="k",
        retries=2,
        sleep=lambda s: None,
        transport=httpx.MockTransport(handler),
    )


def _works_body(cursor: str | None, n: int) -> dict:
    work = {"id": f"https://openalex.org/W{n}", "title": f"W {n}"}
    return {"meta": {"next_cursor": cursor, "count": 5}, "results": [work]}


def test_repeating_openalex_cursor_is_detected(store: Store) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.params.get("cursor", ""))
        return httpx.Response(200, json=_works_body("same", len(calls)))

    with pytest.raises(NetworkError, match="repeat"):
        openalex_api(
            store,
            search="x",
            client=_openalex(handler),
            with_entities=False,
            settings=Settings(),
        )
    assert len(calls) <= 3


@pytest.mark.parametrize(
    "body",
    [
        {"meta": "a string", "results": []},
        {"meta": {"next_cursor": 5, "count": "many"}, "results": [{"id": 1}]},
        {"meta": {}, "results": "not a list"},
        {"meta": None, "results": None},
    ],
)
def test_odd_openalex_answers_never_traceback(store: Store, body: dict) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps(body).encode())

    try:
        report = openalex_api(
            store,
            search="x",
            client=_openalex(handler),
            with_entities=False,
            settings=Settings(),
        )
    except LabscoutError:
        return
    assert report.status == "finished"


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e999", "9" * 400, "x"])
def test_odd_rate_limit_headers(value: str) -> None:
    rate = RateLimit.from_headers(
        httpx.Headers(
            {
                k: value
                for k in (
                    "x-ratelimit-limit",
                    "x-ratelimit-remaining",
                    "x-ratelimit-reset",
                    "x-ratelimit-remaining-usd",
                )
            }
        )
    )
    assert rate.limit is None or isinstance(rate.limit, int)
