"""Paper Copilot lists: alignment rules on real records, bad records on hand-made fixtures."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from labscout.cli import app
from labscout.errors import InputError
from labscout.ingest import paperlists
from labscout.records import Rejected, Work
from labscout.sources.institution_types import country_code, guess_institution_type
from labscout.sources.paperlists import (
    PLACEHOLDER_INSTITUTIONS,
    Dropped,
    ListFile,
    align_affiliations,
    iter_paperlist,
    normalize_name,
    parse_paper,
    positions,
)

FIXTURES = Path(__file__).parent / "fixtures"

FIX = FIXTURES / "paperlists"


def _real(shared: Path, rel: str, position: int) -> tuple[dict, list]:
    path = shared / "paperlists" / rel
    with gzip.open(path) as fh:
        raw = json.load(fh)[position - 1]
    return raw, parse_paper(raw, ListFile.from_path(path), str(path), position)


def _insts(records: list) -> dict[str, object]:
    return {r.id: r for r in records if type(r).__name__ == "Institution"}


# -- real records -------------------------------------------------------------
def test_plus_joins_two_affiliations_of_one_author(shared_data: Path) -> None:
    raw, records = _real(shared_data, "aaai/aaai2022.json.gz", 4)
    assert raw["aff_unique_index"] == "0+1;0;0;0;1+2"  # the record this test is about
    work = records[0]
    assert isinstance(work, Work)
    assert work.title.startswith("A Causal Debiasing Framework")
    assert (work.venue, work.publication_year, work.source) == ("AAAI", 2022, "paperlists")
    assert work.cited_by_count == raw["gs_citation"] == 28
    assert work.extra["cited_by_source"] == "google_scholar"
    assert work.extra["status"] == "Technical"
    names = [a.raw_author_name for a in work.authorships]
    assert names == ["Xiangru Lin", "Ziyi Wu", "Guanqi Chen", "Guanbin Li", "Yizhou Yu"]
    assert [a.author_position for a in work.authorships] == [
        "first",
        "middle",
        "middle",
        "middle",
        "last",
    ]
    sysu, hku, deepwise = (
        "paperlists:inst:sun-yat-sen-university",
        "paperlists:inst:university-of-hong-kong",
        "paperlists:inst:deepwise-ai-lab",
    )
    assert work.authorships[0].institution_ids == (sysu, hku)
    assert work.authorships[1].institution_ids == (sysu,)
    assert work.authorships[4].institution_ids == (hku, deepwise)
    insts = _insts(records)
    assert set(insts) == {sysu, hku, deepwise}
    # countries through aff_country_unique_index "0+0;0;0;0;0" -> "China;": the last
    # author's entry has one country for two affiliations, so Deepwise gets none
    assert insts[sysu].country_code == "CN"
    assert insts[hku].country_code == "CN"
    assert insts[deepwise].country_code is None
    assert insts[sysu].type == "education"
    assert records[1].id == "paperlists:xiangru-lin"


def test_authors_and_affiliations_that_do_not_align_keep_the_paper(shared_data: Path) -> None:
    raw, parsed = _real(shared_data, "aaai/aaai2022.json.gz", 115)
    assert raw["aff_unique_index"] == "1;2;3+4;3+4" and raw["author"].count(";") == 5
    records, dropped = parsed
    assert isinstance(dropped, Dropped)
    assert dropped.line == 115 and dropped.location.endswith("aaai2022.json.gz")
    assert "4 affiliation entries for 6 authors" in dropped.reason
    work = records[0]
    assert len(work.authorships) == 6
    assert all(a.institution_ids == () for a in work.authorships)
    assert not _insts(records)


def test_missing_affiliations_keep_authors(shared_data: Path) -> None:
    raw, records = _real(shared_data, "iclr/iclr2013.json.gz", 1)
    assert "aff_unique_index" not in raw
    work = records[0]
    assert [a.author_id for a in work.authorships] == [
        "paperlists:guillaume-alain",
        "paperlists:yoshua-bengio",
    ]
    assert all(a.institution_ids == () for a in work.authorships)
    assert work.cited_by_count == int(raw["gs_citation"])  # a string in this file
    assert work.publication_year == 2013 and work.venue == "ICLR"


def test_empty_author_slot_is_skipped(shared_data: Path) -> None:
    raw, records = _real(shared_data, "eccv/eccv2020.json.gz", 505)
    assert ";;" in raw["author"]
    work = records[0]
    assert [a.raw_author_name for a in work.authorships] == ["Junwen Chen", "Wentao Bao", "Yu Kong"]
    assert [a.author_position for a in work.authorships] == ["first", "middle", "last"]
    assert [a.position_index for a in work.authorships] == [0, 1, 2]


@pytest.mark.parametrize(
    ("rel", "at_least"), [("nips/nips2018.json.gz", 900), ("aaai/aaai2022.json.gz", 1000)]
)
def test_every_aligned_record_of_a_real_file_maps_authors_to_their_institutions(
    shared_data: Path, rel: str, at_least: int
) -> None:
    path = shared_data / "paperlists" / rel
    with gzip.open(path) as fh:
        raw = json.load(fh)
    checked = plus = 0
    for item in iter_paperlist(path):
        if isinstance(item, Rejected):
            assert item.reason == "paper without authors"
            continue
        position, records = item[0], item[1]
        if len(item) == 3:
            continue
        d = raw[position - 1]
        if not d.get("aff_unique_index"):
            continue
        norms = d["aff_unique_norm"].split(";")
        work = records[0]
        entries = d["aff_unique_index"].split(";")
        if len(entries) != len(work.authorships):
            continue  # an empty author slot, covered by its own test
        plus += "+" in d["aff_unique_index"]
        for authorship, entry in zip(work.authorships, entries, strict=True):
            expected = [
                f"paperlists:inst:{normalize_name(norms[int(i)])}"
                for i in entry.split("+")
                if i and normalize_name(norms[int(i)]) not in PLACEHOLDER_INSTITUTIONS
            ]
            assert list(authorship.institution_ids) == list(dict.fromkeys(expected))
        checked += 1
    assert checked > at_least
    assert plus > 50


# -- hand-made bad records ----------------------------------------------------
def test_bad_records_are_counted_with_file_and_position(store) -> None:
    report = paperlists(store, [FIX / "badconf2021.json"])
    reasons = {(r.line, r.reason) for r in report.rejects}
    loc = str(FIX / "badconf2021.json")
    assert all(r.location == loc for r in report.rejects)
    assert (2, "paper without a title") in reasons
    assert (3, "paper without authors") in reasons
    assert any(line == 7 and "JSON object" in why for line, why in reasons)
    assert report.rejected == 3
    assert report.read == 9
    dropped = {d.line: d.reason for d in report.dropped_items}
    assert set(dropped) == {4, 5, 6}
    assert "2 affiliation entries for 3 authors" in dropped[4]
    assert "out of range" in dropped[5]
    assert "not a number" in dropped[6]
    assert report.dropped == 3
    assert store.counts()["works"] == 6
    # the run keeps both kinds of report
    saved = json.loads(
        store.con.execute(
            "SELECT rejects FROM ingest_runs WHERE run_id = ?", [report.run_id]
        ).fetchone()[0]
    )
    assert {r["line"] for r in saved} == {2, 3, 4, 5, 6, 7}


def test_good_fixture_record_fields(store) -> None:
    paperlists(store, [FIX])
    work = store.get_work("paperlists:badconf2021:ok1")
    assert work.venue == "BADCONF" and work.publication_year == 2021
    assert work.doi == "10.1234/abc"
    assert ("arxiv", "2101.00001") in work.ids
    a = work.authorships
    assert a[0].institution_ids == (
        "paperlists:inst:university-of-oxford",
        "paperlists:inst:deepmind",
    )
    assert a[2].institution_ids == ()  # an empty entry: no affiliation
    assert a[0].raw_affiliation_strings == ("Dept of CS, University of Oxford",)
    ox = store.get_institution("paperlists:inst:university-of-oxford")
    assert (ox.country_code, ox.type) == ("GB", "education")
    dm = store.get_institution("paperlists:inst:deepmind")
    assert dm.type == "company"
    # countries out of step: institutions kept, no country
    msra = store.get_institution("paperlists:inst:microsoft-research-asia")
    assert msra.country_code is None and msra.type == "company"
    assert store.get_work("paperlists:badconf2021:badcountry").cited_by_count is None
    slot = store.get_work("paperlists:badconf2021:emptyslot").authorships
    assert [x.institution_ids for x in slot] == [
        ("paperlists:inst:stanford-university",),
        ("paperlists:inst:amazon",),
    ]


def test_truncated_file_keeps_what_was_read(store) -> None:
    report = paperlists(store, [FIX / "truncated2020.json.gz"])
    assert store.counts()["works"] == 1
    assert report.rejected == 1 and "ends early" in report.rejects[0].reason


def test_rerun_is_idempotent_and_skips_finished_files(store) -> None:
    first = paperlists(store, [FIX])
    before = store.counts()
    again = paperlists(store, [FIX])
    assert again.read == 0 and len(again.skipped) == 2
    forced = paperlists(store, [FIX], force=True)
    assert forced.counts.works_inserted == 0
    assert forced.counts.works_updated == first.counts.works_inserted
    assert store.counts() == {**before, "ingest_runs": before["ingest_runs"] + 2}


def test_resume_after_interruption(store, tmp_path: Path) -> None:
    papers = [{"id": str(i), "title": f"Paper {i}", "author": f"Author {i}"} for i in range(1200)]
    path = tmp_path / "conf2024.json"
    path.write_text(json.dumps(papers))

    class Stop(KeyboardInterrupt):
        pass

    class Bar:
        n = 0

        def advance(self, n: int = 1) -> None:
            Bar.n += n
            if Bar.n == 700:
                raise Stop

        def set_total(self, total) -> None:
            pass

    class Progress:
        def task(self, description, total=None):
            import contextlib

            return contextlib.nullcontext(Bar())

    with pytest.raises(Stop):
        paperlists(store, [path], batch_size=100, progress=Progress())
    assert 500 <= store.counts()["works"] < 1200
    report = paperlists(store, [path])
    assert store.counts()["works"] == 1200
    assert report.read <= 700  # resumed after the last saved paper


def test_no_files_is_an_input_error(store, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        paperlists(store, [tmp_path])


# -- rules ------------------------------------------------------------------
def test_align_affiliations_rules() -> None:
    assert align_affiliations(3, 3, "0+1;0;", 2) == [[0, 1], [0], []]
    assert align_affiliations(2, 2, None, 0) is None
    assert align_affiliations(2, 2, ";", 0) is None
    assert align_affiliations(4, 3, "0;0;0;1", 2) == [[0], [0], [0], [1]]  # per raw slot
    with pytest.raises(ValueError, match="out of range"):
        align_affiliations(2, 2, "0;2", 2)
    with pytest.raises(ValueError, match="2 affiliation entries for 3 authors"):
        align_affiliations(3, 3, "0;1", 2)


@pytest.mark.parametrize(
    ("name", "domain", "kind"),
    [
        ("Google", "research.google", "company"),
        ("Meta AI Research", None, "company"),
        ("Microsoft Research Asia", None, "company"),
        ("DeepMind", None, "company"),
        ("NVIDIA", None, "company"),
        ("IBM Research", None, "company"),
        ("Amazon Web Services", None, "company"),
        ("Some Startup", "startup.ai", "company"),
        ("Stanford University", None, "education"),
        ("ETH Zurich", None, "education"),
        ("Toyota Technological Institute at Chicago", None, "education"),
        ("Nanjing Lab", "nju.edu.cn", "facility"),
        ("Unknown Place", "example.edu.cn", "education"),
        ("Max Planck Institute for Intelligent Systems", None, "facility"),
        ("Massachusetts General Hospital", None, "healthcare"),
        ("Argonne", "anl.gov", "government"),
        ("Metadata Society", None, None),
    ],
)
def test_institution_type_guess(name: str, domain: str | None, kind: str | None) -> None:
    assert guess_institution_type(name, domain)[0] == kind


def test_country_codes_and_positions() -> None:
    assert country_code("United States") == "US"
    assert country_code("South Korea") == "KR"
    assert country_code("Russia") == "RU"
    assert country_code("Türkiye") == "TR"
    assert country_code("") is None and country_code("Unknown") is None
    assert positions(1) == ["first"] and positions(2) == ["first", "last"]
    assert ListFile.from_path(Path("nips/nips2018.json.gz")).venue == "NeurIPS"


def test_cli_reports_counts(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    result = CliRunner().invoke(app, ["ingest", "paperlists", str(FIX), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    assert "rejected 4" in result.output
    assert "3 paper(s) kept without affiliations" in result.output
    assert "institutions by type:" in result.output
    out = CliRunner().invoke(
        app, ["ingest", "paperlists", str(FIX), "--db", str(db), "-q", "--json", "--force"]
    )
    data = json.loads(out.stdout)
    assert data["dropped"] == 3 and data["institution_types"]["company"] >= 3
    missing = CliRunner().invoke(app, ["ingest", "paperlists", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_a_paper_without_countries_does_not_erase_one(store, tmp_path: Path) -> None:
    def paper(i: int, country_index: str) -> dict:
        return {
            "id": str(i),
            "title": f"Paper {i}",
            "author": "A B; C D",
            "aff_unique_index": "0;0",
            "aff_unique_norm": "Nanjing University",
            "aff_unique_url": "http://www.nju.edu.cn",
            "aff_country_unique_index": country_index,
            "aff_country_unique": "China",
        }

    (tmp_path / "conf2020.json").write_text(json.dumps([paper(1, "0;0"), paper(2, "0")]))
    (tmp_path / "conf2021.json").write_text(json.dumps([paper(3, "")]))
    paperlists(store, [tmp_path / "conf2020.json"])
    nju = "paperlists:inst:nanjing-university"
    assert store.get_institution(nju).country_code == "CN"
    paperlists(store, [tmp_path / "conf2021.json"])  # a later run, no countries at all
    assert store.get_institution(nju).country_code == "CN"
    assert store.get_work("paperlists:conf2021:3").authorships[0].institution_ids == (nju,)


def test_a_paper_already_stored_from_another_source_is_merged(store) -> None:
    from labscout.records import Author, Authorship
    from labscout.store import Batch

    stored = Work(
        id="W1",
        title="A paper that lines up",
        publication_year=2021,
        abstract="Stored abstract.",
        authorships=(
            Authorship("A10", "first", 0, raw_author_name="Ada Lovelace"),
            Authorship("A11", "middle", 1, raw_author_name="Alan M. Turing"),
        ),
    )
    store.write(
        Batch(works=[stored], authors=[Author("A10", "Ada Lovelace"), Author("A11", "Alan Turing")])
    )
    paperlists(store, [FIX / "badconf2021.json"])
    assert store.find_work_ids("paperlists", "badconf2021:ok1") == ["W1"]
    merged = store.get_work("W1")
    assert merged.abstract == "Stored abstract." and merged.source == "openalex"
    assert merged.extra["sources"] == ["openalex", "paperlists"]
    assert merged.extra["status"] == "Oral"
    assert [a.author_id for a in merged.authorships][:2] == ["A10", "A11"]
    links = store.con.execute(
        "SELECT author_id, person_id FROM identity_links WHERE undone_at IS NULL ORDER BY 1"
    ).fetchall()
    assert ("paperlists:ada-lovelace", "A10") in links
    # without matching, the paper is a work of its own
    paperlists(store, [FIX / "badconf2021.json"], force=True, match=False)
    assert store.get_work("paperlists:badconf2021:ok1").title == "A Paper That Lines Up"


@pytest.mark.parametrize(
    "name", ["Personal", "Independent Researcher", "None", "N/A", "Unknown", "unaffiliated"]
)
def test_a_non_place_is_no_institution(tmp_path: Path, name: str) -> None:
    raw = {
        "id": "p1",
        "title": "A paper by a person at no place",
        "author": "Ada Lovelace; Alan Turing",
        "aff_unique_index": "0;1",
        "aff_unique_norm": f"{name};Massachusetts Institute of Technology",
        "aff_unique_url": "personal.example;http://web.mit.edu",
        "aff": f"{name};MIT",
    }
    path = tmp_path / "icml2024.json"
    records = parse_paper(raw, ListFile.from_path(path), str(path), 1)
    work = records[0]
    assert list(_insts(records)) == ["paperlists:inst:massachusetts-institute-of-technology"]
    ada, alan = work.authorships
    assert ada.institution_ids == () and ada.raw_affiliation_strings == (name,)
    assert alan.institution_ids == ("paperlists:inst:massachusetts-institute-of-technology",)
