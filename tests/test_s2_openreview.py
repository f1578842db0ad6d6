"""Semantic Scholar and OpenReview files: the gold-standard data into one store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from labscout.cli import app
from labscout.errors import InputError
from labscout.ingest import arxiv_oai, openreview_archives, s2_files
from labscout.sources.arxiv import OaiClient
from labscout.store import Store


@pytest.fixture
def gold(shared_data: Path) -> Path:
    return shared_data / "goldstandard"


def test_s2_counts_and_participants(store: Store, gold: Path) -> None:
    report = s2_files(store, gold)
    assert report.status == "finished" and report.rejected == 0
    assert report.read == 2721 + 40
    c = store.counts()
    assert c["works"] == 2721
    assert store.con.execute("SELECT count(*) FROM authors WHERE is_full").fetchone()[0] == 40
    neubig = store.get_author("s2:1700325")
    assert neubig.display_name == "Graham Neubig" and ("s2", "1700325") in neubig.ids
    # every paper listed by a participant names them under their S2 id
    n = store.con.execute(
        "SELECT count(*) FROM authorships WHERE author_id LIKE 's2:%' AND author_id NOT LIKE '%#%'"
    ).fetchone()[0]
    assert n == 2506
    w = store.get_work("s2:0025b963134b1c0b64c1389af19610d038ab7072")
    assert ("arxiv", "1105.5464") in w.ids and w.publication_year == 1997


def test_openreview_archives_merge_into_s2_works(store: Store, gold: Path) -> None:
    s2_files(store, gold)
    report = openreview_archives(store, gold / "d_20_1")
    assert report.status == "finished" and report.rejected == 0
    assert store.counts()["works"] == 2721  # every archive paper is an S2 paper already
    owner = store.get_author("openreview:~1700325")
    assert owner.display_name == "Graham Neubig"
    assert ("s2", "1700325") in owner.ids


def test_openreview_alone(store: Store, gold: Path) -> None:
    report = openreview_archives(store, gold / "d_20_1", match=False)
    archives = sum(
        len(f.read_text().splitlines()) for f in (gold / "d_20_1" / "archives").glob("*.jsonl")
    )
    subs = len(json.loads((gold / "d_20_1" / "submissions.json").read_text()))
    assert report.read == archives + subs + 40  # papers plus one person per archive
    again = openreview_archives(store, gold / "d_20_1")
    assert again.read == 0 and len(again.skipped) == 41


def test_s2_and_arxiv_end_as_one_work(store: Store, gold: Path, shared_data: Path, httpserver):
    s2_files(store, gold)
    page = (shared_data / "arxiv" / "oai_listrecords_arXivRaw_cs.xml").read_text()
    page = page.replace(">3996692|1001<", "><")  # one page only
    httpserver.expect_request("/oai").respond_with_data(page)
    arxiv_oai(store, client=OaiClient(httpserver.url_for("/oai"), delay=0))
    both = store.con.execute(
        "SELECT count(DISTINCT work_id) FROM work_ids WHERE scheme = 'arxiv' AND work_id IN "
        "(SELECT work_id FROM work_ids WHERE scheme = 's2') AND work_id LIKE 's2:%'"
    ).fetchone()[0]
    assert store.counts()["works"] == 2721 + 1000 - 6  # the 6 papers in both stay one
    assert both >= 6


def test_bad_folders_and_records(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        s2_files(store, tmp_path / "nope")
    with pytest.raises(InputError):
        s2_files(store, tmp_path)
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "a.json").write_text('{"title": "no id"}')
    (tmp_path / "papers" / "b.json").write_text("{broken")
    report = s2_files(store, tmp_path)
    assert report.rejected == 2 and store.counts()["works"] == 0
    arch = tmp_path / "or" / "archives"
    arch.mkdir(parents=True)
    (arch / "~Jane_Doe1.jsonl").write_text(
        '{"id": "p1", "content": {"title": {"value": "A Paper"}, "authors": ["Jane Doe"]}}\n[1]\n'
    )
    report = openreview_archives(store, tmp_path / "or")
    assert report.rejected == 1
    assert store.get_author("openreview:~Jane_Doe1").display_name == "Jane Doe"


def test_cli_s2_and_openreview(gold: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "c.duckdb")
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", "s2", str(gold), "--db", db])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["ingest", "openreview-archives", str(gold / "d_20_2"), "--db", db])
    assert res.exit_code == 0, res.output
