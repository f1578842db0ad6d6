"""DBLP XML: the shared samples, entities, persons, a cut file, and the merge with OpenAlex."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from labscout.cli import app
from labscout.errors import InputError
from labscout.ingest import dblp_xml, identities, openalex_files
from labscout.store import Store

FIX = Path(__file__).parent / "fixtures" / "sources"


@pytest.fixture
def dblp(shared_data: Path) -> Path:
    return shared_data / "dblp"


@pytest.mark.parametrize(
    ("name", "works", "persons"),
    [
        ("articles_2017.xml", 85, 0),
        ("recent_incollection.xml", 131, 0),
        ("persons_and_articles.xml", 12, 8),  # and 1 book, not kept
        ("persons_list_root.xml", 0, 19),  # 21 www: 2 are crossrefs to other keys
    ],
)
def test_shared_samples_counts(store: Store, dblp: Path, name: str, works: int, persons: int):
    report = dblp_xml(store, dblp / name)
    assert report.status == "finished" and report.rejected == 0
    con = store.con
    assert con.execute("SELECT count(*) FROM works WHERE source = 'dblp'").fetchone()[0] == works
    n = con.execute("SELECT count(*) FROM authors WHERE is_full AND source = 'dblp'").fetchone()[0]
    assert n == persons


def test_entities_persons_and_suffixes(store: Store, dblp: Path) -> None:
    dblp_xml(store, dblp / "persons_and_articles.xml")
    a = store.get_author("dblp:homepages/l/FredericLoulergue")
    assert a.display_name == "Frédéric Loulergue"  # &eacute; through the DTD
    assert a.orcid == "0000-0001-9301-7829"
    assert ("dblp", "l/FredericLoulergue") in a.ids
    hua = store.get_author("dblp:homepages/l/HuaLu")
    assert hua.display_name == "Hua Lu 0001"  # DBLP's own disambiguation stays in the name
    inst = store.get_institution(hua.last_known_institution_ids[0])
    assert inst.display_name == "Roskilde University, Denmark"
    liskov = store.get_author("dblp:homepages/l/BarbaraLiskov")
    assert liskov.name_variants == ("Barbara H. Liskov",)
    w = store.get_work("dblp:tr/meltdown/s18")
    assert w.publication_year == 2018 and w.venue == "meltdownattack.com"
    names = [x.raw_author_name for x in w.authorships]
    assert "Michael Schwarz 0001" in names and len(names) == 10


def test_crossref_person_keys_become_merged_ids(store: Store, dblp: Path) -> None:
    dblp_xml(store, dblp / "persons_list_root.xml")
    assert store.resolve_id("authors", "dblp:homepages/s/SanemSariel") == ("dblp:homepages/17/8399")


def test_works_authors_map_to_person_records(store: Store, dblp: Path) -> None:
    dblp_xml(store, FIX / "dblp_gcn.xml", dtd=dblp / "dblp.dtd")
    w = store.get_work("dblp:journals/tst/Vidal20")
    assert [a.raw_author_name for a in w.authorships] == ["René Vidal", "Max Welling"]
    # Max Welling's name string is listed by his person record: the authorship moved to it
    assert w.authorships[1].author_id == "dblp:homepages/w/MaxWelling"
    assert w.authorships[0].author_id == "dblp:name/René Vidal"  # no person record read


def test_gzip_and_rerun_is_idempotent(store: Store, dblp: Path, tmp_path: Path) -> None:
    gz = tmp_path / "articles.xml.gz"
    with open(dblp / "articles_2017.xml", "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    report = dblp_xml(store, gz, dtd=dblp / "dblp.dtd")
    assert report.counts.works_inserted == 85
    again = dblp_xml(store, gz, dtd=dblp / "dblp.dtd")
    assert again.skipped == [str(gz)] and again.read == 0
    forced = dblp_xml(store, gz, dtd=dblp / "dblp.dtd", force=True)
    assert forced.counts.works_updated == 85 and store.counts()["works"] == 85


def repeated(dblp: Path, times: int) -> bytes:
    """articles_2017.xml with its records repeated under new keys (a bigger real-format file)."""
    text = (dblp / "articles_2017.xml").read_bytes()
    head, _, rest = text.partition(b"<dblp>")
    body, _, _ = rest.rpartition(b"</dblp>")
    copies = [body.replace(b'key="', f'key="copy{i}/'.encode()) for i in range(times)]
    return head + b"<dblp>" + b"".join(copies) + b"</dblp>\n"


def test_truncated_gzip_keeps_records_and_resumes(dblp: Path, tmp_path: Path) -> None:
    data = gzip.compress(repeated(dblp, 20))  # 1,700 works
    gz = tmp_path / "dblp.xml.gz"
    gz.write_bytes(data[: len(data) * 2 // 3])
    store = Store(tmp_path / "s.duckdb")
    with pytest.raises(InputError) as info:
        dblp_xml(store, gz, dtd=dblp / "dblp.dtd")
    assert "byte" in info.value.message and "resumes" in info.value.hint
    kept = store.counts()["works"]
    assert 0 < kept < 1700
    assert store.last_runs(1)[0]["status"] == "stopped"
    gz.write_bytes(data)  # fetched again, complete
    report = dblp_xml(store, gz, dtd=dblp / "dblp.dtd")
    assert report.status == "finished"
    assert report.read == 1700 - kept  # resumed after the records kept
    assert store.counts()["works"] == 1700
    store.close()


def test_xml_cut_in_the_middle_says_where(store: Store, dblp: Path, tmp_path: Path) -> None:
    text = (dblp / "persons_and_articles.xml").read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(text[: len(text) // 2])
    with pytest.raises(InputError) as info:
        dblp_xml(store, cut, dtd=dblp / "dblp.dtd")
    assert "line" in info.value.message
    assert store.counts()["works"] > 0


def test_missing_dtd_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "dblp.xml"
    shutil.copy(FIX / "dblp_gcn.xml", f)
    with pytest.raises(InputError, match="dblp.dtd not found"):
        dblp_xml(store, f)


def test_dblp_work_merges_into_the_openalex_work(store: Store, shared_data: Path) -> None:
    openalex_files(store, [shared_data / "openalex" / "works_ml_sample.json"])
    before = store.counts()["works"]
    report = dblp_xml(store, FIX / "dblp_gcn.xml", dtd=shared_data / "dblp" / "dblp.dtd")
    assert report.status == "finished"
    assert store.counts()["works"] == before + 1  # only the made-up paper is new
    w = store.get_work("W2519887557")
    assert ("dblp", "conf/iclr/KipfW17") in w.ids and ("dblp", "journals/corr/KipfW16") in w.ids
    assert ("arxiv", "1609.02907") in w.ids
    assert w.abstract  # the text stays from OpenAlex
    assert len(w.authorships) == 2  # no author counted twice
    assert store.find_work_ids("dblp", "conf/iclr/KipfW17") == ["W2519887557"]
    ident = identities(store, "dblp:homepages/t/ThomasNKipf")
    assert {m.author_id for m in ident.members} >= {
        "A5025691113",
        "dblp:homepages/t/ThomasNKipf",
    }


def test_cli_ingest_dblp_and_fatal_error(tmp_path: Path, dblp: Path) -> None:
    db = str(tmp_path / "c.duckdb")
    runner = CliRunner()
    ok = runner.invoke(app, ["ingest", "dblp", str(dblp / "articles_2017.xml"), "--db", db])
    assert ok.exit_code == 0, ok.output
    assert "works +85 new" in ok.output
    cut = tmp_path / "cut.xml"
    cut.write_bytes((dblp / "articles_2017.xml").read_bytes()[:5000])
    bad = runner.invoke(
        app, ["ingest", "dblp", str(cut), "--dtd", str(dblp / "dblp.dtd"), "--db", db]
    )
    assert bad.exit_code == 2
    assert "Error:" in bad.output and "Hint:" in bad.output and "Traceback" not in bad.output
