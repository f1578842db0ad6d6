"""arXiv: the Kaggle snapshot sample, OAI-PMH pages replayed by a local server, bad input."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from labscout.cli import app
from labscout.errors import InputError, NetworkError
from labscout.ingest import arxiv_oai, arxiv_snapshot, openalex_files
from labscout.records import Rejected
from labscout.sources.arxiv import OaiClient, latex_to_text, parse_oai_page, split_authors
from labscout.store import Store

FIX = Path(__file__).parent / "fixtures" / "sources"
ERROR_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<responseDate>2024-01-02T00:00:00Z</responseDate>
<request verb="ListRecords">http://export.arxiv.org/oai2</request>
<error code="{code}">{text}</error>
</OAI-PMH>
"""


@pytest.fixture
def arxiv(shared_data: Path) -> Path:
    return shared_data / "arxiv"


def pages(arxiv: Path, first: int = 600) -> tuple[str, str]:
    """The shared 1,000-record ListRecords page split in two, joined by a resumptionToken."""
    text = (arxiv / "oai_listrecords_arXivRaw_cs.xml").read_text(encoding="utf-8")
    head, _, rest = text.partition("<record>")
    body, _, _ = rest.rpartition("<resumptionToken")
    records = ["<record>" + r for r in body.split("<record>")]
    tail = "</ListRecords>\n</OAI-PMH>\n"
    one = (
        head
        + "".join(records[:first])
        + '<resumptionToken cursor="0" completeListSize="1000">tok|601</resumptionToken>\n'
        + tail
    )
    two = (
        head
        + "".join(records[first:]).replace("</ListRecords>\n</OAI-PMH>", "")
        + '<resumptionToken cursor="600" completeListSize="1000"/>\n'
        + tail
    )
    return one, two


def client(server: HTTPServer, waits: list | None = None) -> OaiClient:
    return OaiClient(
        server.url_for("/oai"),
        delay=0.0,
        retries=3,
        sleep=(waits.append if waits is not None else lambda s: None),
    )


FIRST = {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "cs", "from": "2019-10-01"}


def test_snapshot_sample_counts(store: Store, arxiv: Path) -> None:
    report = arxiv_snapshot(store, arxiv / "kaggle_snapshot_sample.jsonl")
    assert report.read == 200 and report.rejected == 0
    assert store.counts()["works"] == 200
    w = store.get_work("arxiv:0704.0001")
    assert w.doi == "10.1103/physrevd.76.013009"
    assert ("arxiv", "0704.0001") in w.ids
    assert w.publication_date == "2007-04-02" and w.type == "preprint"
    assert [a.raw_author_name for a in w.authorships][0] == "C. Balázs"
    assert w.extra["categories"] == ["hep-ph"]
    latex = [x for x in store.get_works(["arxiv:0704.0007"]) if x]
    assert latex  # a record whose title has LaTeX is read
    titles = [r[0] for r in store.con.execute("SELECT title FROM works").fetchall()]
    assert not any("$" in t for t in titles)


def test_latex_and_author_strings() -> None:
    assert latex_to_text(r"The $\alpha$-Stable Bal\'azs Process") == "The α-Stable Balázs Process"
    assert latex_to_text("Plain title") == "Plain title"
    assert split_authors("A. Smith, B. Jones, and C. Wu (MIT)") == ["A. Smith", "B. Jones", "C. Wu"]


def test_wrong_shaped_lines_are_rejected_with_line_numbers(store: Store) -> None:
    report = arxiv_snapshot(store, FIX / "arxiv_gcn.jsonl", match=False)
    assert report.status == "finished"
    assert store.counts()["works"] == 2
    assert sorted(r.line for r in report.rejects) == [2, 3]
    assert store.get_work("arxiv:2401.99998").title == "The α-Stable Balázs Process"


def test_truncated_snapshot_keeps_lines_and_resumes(arxiv: Path, tmp_path: Path) -> None:
    data = gzip.compress((arxiv / "kaggle_snapshot_sample.jsonl").read_bytes())
    gz = tmp_path / "snap.jsonl.gz"
    gz.write_bytes(data[: len(data) // 2])
    store = Store(tmp_path / "s.duckdb")
    with pytest.raises(InputError) as info:
        arxiv_snapshot(store, gz)
    assert "lines before it are kept" in info.value.message
    kept = store.counts()["works"]
    assert 0 < kept < 200
    gz.write_bytes(data)
    report = arxiv_snapshot(store, gz)
    assert report.read == 200 - kept and store.counts()["works"] == 200
    store.close()


def test_openalex_and_arxiv_end_as_one_work(store: Store, shared_data: Path) -> None:
    openalex_files(store, [shared_data / "openalex" / "works_ml_sample.json"])
    before = store.counts()["works"]
    arxiv_snapshot(store, FIX / "arxiv_gcn.jsonl")
    assert store.counts()["works"] == before + 1  # only the LaTeX test paper is new
    w = store.get_work("W2519887557")
    assert ("arxiv", "1609.02907") in w.ids and w.source == "openalex"
    assert w.extra["sources"] == ["openalex", "arxiv"]
    assert len(w.authorships) == 2
    assert store.find_work_ids("arxiv", "1609.02907") == ["W2519887557"]


def test_oai_pages_follow_the_resumption_token(store: Store, arxiv: Path, httpserver) -> None:
    one, two = pages(arxiv)
    httpserver.expect_ordered_request("/oai", query_string=FIRST).respond_with_data(
        one, content_type="text/xml"
    )
    httpserver.expect_ordered_request(
        "/oai", query_string={"verb": "ListRecords", "resumptionToken": "tok|601"}
    ).respond_with_data(two, content_type="text/xml")
    report = arxiv_oai(store, set="cs", from_date="2019-10-01", client=client(httpserver))
    assert report.status == "finished" and report.read == 1000 and report.rejected == 0
    assert store.counts()["works"] == 1000
    w = store.get_work("arxiv:1207.4933")
    assert w.doi == "10.1137/120885371" and w.publication_year == 2012
    assert len(w.authorships) == 5
    again = arxiv_oai(store, set="cs", from_date="2019-10-01", client=client(httpserver))
    assert again.read == 0 and again.skipped


def test_oai_503_retry_after_is_honoured(store: Store, arxiv: Path, httpserver) -> None:
    one, two = pages(arxiv, first=999)
    httpserver.expect_ordered_request("/oai").respond_with_data(
        "busy", status=503, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request("/oai").respond_with_data(one, content_type="text/xml")
    httpserver.expect_ordered_request("/oai").respond_with_data(two, content_type="text/xml")
    waits: list[float] = []
    report = arxiv_oai(store, set="cs", from_date="2019-10-01", client=client(httpserver, waits))
    assert report.read == 1000
    assert 7.0 in waits


def test_oai_keeps_failing_is_a_network_error(store: Store, httpserver) -> None:
    httpserver.expect_request("/oai").respond_with_data("down", status=503)
    with pytest.raises(NetworkError):
        arxiv_oai(store, set="cs", client=client(httpserver))


def test_bad_resumption_token_keeps_first_page_and_resumes(
    arxiv: Path, httpserver, tmp_path: Path
) -> None:
    one, two = pages(arxiv)
    store = Store(tmp_path / "s.duckdb")
    httpserver.expect_ordered_request("/oai", query_string=FIRST).respond_with_data(one)
    httpserver.expect_ordered_request("/oai").respond_with_data(
        ERROR_PAGE.format(code="badResumptionToken", text="The value of the token is invalid")
    )
    with pytest.raises(InputError) as info:
        arxiv_oai(store, set="cs", from_date="2019-10-01", client=client(httpserver))
    assert "tok|601" in info.value.message and "--force" in info.value.hint
    assert store.counts()["works"] == 600
    httpserver.clear()
    httpserver.expect_request(
        "/oai", query_string={"verb": "ListRecords", "resumptionToken": "tok|601"}
    ).respond_with_data(two)
    report = arxiv_oai(store, set="cs", from_date="2019-10-01", client=client(httpserver))
    assert report.read == 400 and store.counts()["works"] == 1000
    store.close()


def test_no_records_match_is_an_empty_harvest(store: Store, httpserver) -> None:
    httpserver.expect_request("/oai").respond_with_data(
        ERROR_PAGE.format(code="noRecordsMatch", text="No records match")
    )
    report = arxiv_oai(store, set="cs", from_date="2030-01-01", client=client(httpserver))
    assert report.status == "finished" and report.read == 0
    assert "no records match" in report.message


def test_getrecord_in_the_arxiv_format(arxiv: Path) -> None:
    page = parse_oai_page((arxiv / "oai_getrecord_arXiv.xml").read_bytes(), "x")
    [records] = page.records
    assert not isinstance(records, Rejected)
    work = records[0]
    assert work.id == "arxiv:0704.0001" and work.publication_date == "2007-04-02"
    assert [a.display_name for a in records[1:]] == [
        "C. Balázs",
        "E. L. Berger",
        "P. M. Nadolsky",
        "C. -P. Yuan",
    ]


def test_cli_arxiv_oai_and_snapshot(arxiv: Path, httpserver, tmp_path: Path) -> None:
    one, two = pages(arxiv)
    httpserver.expect_ordered_request("/oai").respond_with_data(one)
    httpserver.expect_ordered_request("/oai").respond_with_data(two)
    db = str(tmp_path / "c.duckdb")
    runner = CliRunner()
    args = ["ingest", "arxiv-oai", "--set", "cs", "--from", "2019-10-01", "--delay", "0"]
    res = runner.invoke(app, [*args, "--base-url", httpserver.url_for("/oai"), "--db", db])
    assert res.exit_code == 0, res.output
    assert "read 1,000" in res.output
    res = runner.invoke(app, ["ingest", "arxiv-snapshot", str(FIX / "arxiv_gcn.jsonl"), "--db", db])
    assert res.exit_code == 0 and "rejected 2" in res.output
    res = runner.invoke(app, ["ingest", "arxiv-snapshot", str(tmp_path / "nope.json"), "--db", db])
    assert res.exit_code == 2 and "Error:" in res.output
    res = runner.invoke(app, ["ingest", "arxiv-oai", "--from", "2024/01/01", "--db", db])
    assert res.exit_code == 2 and "YYYY-MM-DD" in res.output


def test_arxiv_gives_its_abstract_to_a_stored_dblp_work(store: Store, shared_data: Path) -> None:
    from labscout.ingest import dblp_xml

    dblp_xml(store, FIX / "dblp_gcn.xml", dtd=shared_data / "dblp" / "dblp.dtd")
    assert store.get_work("dblp:journals/corr/KipfW16").abstract is None
    arxiv_snapshot(store, FIX / "arxiv_gcn.jsonl")
    w = store.get_work("dblp:journals/corr/KipfW16")  # the CoRR record carries the arXiv id
    assert w.abstract and w.abstract.startswith("We present a scalable approach")
    assert w.extra["sources"] == ["dblp", "arxiv"]
    assert store.find_work_ids("arxiv", "1609.02907") == ["dblp:journals/corr/KipfW16"]
    assert store.get_work("dblp:conf/iclr/KipfW17").abstract is None  # another DBLP record
