"""Any table of papers through a column mapping: CSV, JSON Lines, one row per author."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from labscout.cli import app
from labscout.errors import InputError, NotFoundError
from labscout.ingest import table
from labscout.sources.table import parse_mapping

FIX = Path(__file__).parent / "fixtures" / "paperlists"
CSV_MAP = (
    "id=Paper ID,title=Title,authors=Authors,affiliations=Affiliations,"
    "abstract=Abstract,year=Year,venue=Venue,doi=DOI"
)
ML_MAP = "title=Title,authors=Author,affiliations=Affiliation,year=Year,venue=Conference"


def test_csv_with_every_field(store) -> None:
    report = table(store, FIX / "papers.csv", CSV_MAP)
    assert report.read == 5 and report.rejected == 2
    loc = str(FIX / "papers.csv")
    assert {(r.location, r.line, r.reason) for r in report.rejects} == {
        (loc, 3, "paper without a title"),
        (loc, 5, "paper without authors"),
    }
    assert [(d.line, d.reason) for d in report.dropped_items] == [
        (4, "affiliations left out at line 4: 2 affiliation(s) for 3 author(s)")
    ]
    w = store.get_work("table:papers:17")
    assert (w.title, w.publication_year, w.venue, w.doi) == (
        "Learning Things Quickly",
        2021,
        "ICLR",
        "10.1234/xyz",
    )
    assert w.abstract == "We learn things."
    assert [(a.author_id, a.author_position) for a in w.authorships] == [
        ("table:ada-lovelace", "first"),
        ("table:alan-turing", "last"),
    ]
    assert w.authorships[1].institution_ids == ("table:inst:google-deepmind",)
    assert store.get_institution("table:inst:google-deepmind").type == "company"
    assert store.get_institution("table:inst:university-of-oxford").type == "education"
    kept = store.get_work("table:papers:19")
    assert len(kept.authorships) == 3 and all(not a.institution_ids for a in kept.authorships)
    # one author, two affiliations in the cell: both are theirs; a quoted multi-line cell
    hopper = store.get_work("table:papers:21")
    assert hopper.title == "A Title, With a Comma" and hopper.abstract == "Multi line abstract."
    assert hopper.authorships[0].institution_ids == (
        "table:inst:yale-university",
        "table:inst:us-navy",
    )
    assert report.institution_types["education"] == 2  # Oxford, Yale


def test_jsonl_with_lists_and_bad_lines(store) -> None:
    report = table(
        store, FIX / "lab.jsonl", {"title": "name", "authors": "people", "affiliations": "where"}
    )
    assert report.rejected == 2
    assert {r.line for r in report.rejects} == {2, 3}
    assert store.counts()["works"] == 2
    (w,) = [w for w in store.get_works(_ids(store)) if w.title == "Graph Networks for Everything"]
    assert w.authorships[1].institution_ids == ("table:inst:meta-ai",)
    assert w.publication_year is None  # year not mapped


def test_year_mapped_from_jsonl(store) -> None:
    table(store, FIX / "lab.jsonl", "title=name,authors=people,year=yr")
    years = sorted(w.publication_year for w in store.get_works(_ids(store)))
    assert years == [2022, 2023]


def _ids(store) -> list[str]:
    return [r[0] for r in store.con.execute("SELECT id FROM works ORDER BY id").fetchall()]


def test_missing_columns_are_named_before_anything_is_written(store) -> None:
    with pytest.raises(InputError) as err:
        table(store, FIX / "papers.csv", "title=Title,authors=Author,year=When")
    assert "'Author' (for authors)" in err.value.message
    assert "'When' (for year)" in err.value.message
    assert "'Authors'" in err.value.hint  # the columns the file has
    assert store.counts()["ingest_runs"] == 0
    with pytest.raises(InputError, match="missing column"):
        table(store, FIX / "lab.jsonl", "title=name,authors=writers")


def test_mapping_errors() -> None:
    assert parse_mapping("title=T, authors = A") == {"title": "T", "authors": "A"}
    with pytest.raises(InputError, match="must name a column for authors"):
        parse_mapping("title=T")
    with pytest.raises(InputError, match="unknown field 'author'"):
        parse_mapping("title=T,author=A")
    with pytest.raises(InputError, match="expected field=Column"):
        parse_mapping("title")


def test_one_row_per_author_real_table(shared_data: Path, store) -> None:
    path = shared_data / "ml-venues" / "icml_neurips_iclr_authors.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    report = table(store, path, ML_MAP)
    assert report.rejected == 0
    papers = {(r["Title"], r["Year"], r["Conference"]) for r in rows}
    assert store.counts()["works"] == len(papers) == 7994
    first = rows[0]
    (wid,) = [
        r[0]
        for r in store.con.execute(
            "SELECT id FROM works WHERE title = ? AND publication_year = ?",
            [first["Title"], int(first["Year"])],
        ).fetchall()
    ]
    w = store.get_work(wid)
    same = [r for r in rows if r["Title"] == first["Title"] and r["Year"] == first["Year"]]
    assert [a.raw_author_name for a in w.authorships] == [r["Author"] for r in same]
    assert w.authorships[0].institution_ids == ("table:inst:deepmind",)
    assert w.authorships[-1].author_position == "last" and w.venue == "ICML"
    again = table(store, path, ML_MAP)
    assert again.skipped == [str(path)]


def test_cli_table(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    ok = CliRunner().invoke(
        app, ["ingest", "table", str(FIX / "papers.csv"), "--map", CSV_MAP, "--db", db, "-q"]
    )
    assert ok.exit_code == 0, ok.output
    assert "read 5" in ok.output and "rejected 2" in ok.output
    bad = CliRunner().invoke(
        app, ["ingest", "table", str(FIX / "papers.csv"), "--map", "title=Nope,authors=Authors"]
    )
    assert bad.exit_code == 2
    assert "missing column(s) 'Nope' (for title)" in bad.output
    assert "Traceback" not in bad.output


def test_table_resumes_after_interruption(store, tmp_path: Path) -> None:
    import contextlib

    path = tmp_path / "big.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Title", "Author"])
        for i in range(1200):
            w.writerow([f"Paper {i}", f"Author {i}"])
            w.writerow([f"Paper {i}", f"Second {i}"])  # one row per author

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
            return contextlib.nullcontext(Bar())

    with pytest.raises(Stop):
        table(store, path, "title=Title,authors=Author", batch_size=100, progress=Progress())
    assert 500 <= store.counts()["works"] < 1200
    report = table(store, path, "title=Title,authors=Author")
    assert store.counts()["works"] == 1200
    assert report.read <= 700
    # no paper was cut in two at the resume point: every one has both its authors
    per_work = store.con.execute(
        "SELECT count(*) FROM authorships GROUP BY work_id HAVING count(*) <> 2"
    ).fetchall()
    assert per_work == [] and store.counts()["authorships"] == 2400


def test_an_author_at_a_non_place_has_no_institution(store, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,title,authors,aff\n1,A paper,Ada Lovelace; Alan Turing,Personal; N/A\n")
    table(store, path, "id=id,title=title,authors=authors,affiliations=aff")
    work = store.get_work("table:t:1")
    assert [a.institution_ids for a in work.authorships] == [(), ()]
    assert [a.raw_affiliation_strings for a in work.authorships] == [("Personal",), ("N/A",)]
    with pytest.raises(NotFoundError):
        store.get_institution("table:inst:personal")
