"""What to read first: surveys, then the works the topic cites most, then recent works of
the top researchers, on a hand-made corpus whose answer is known."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from labscout.cli import app
from labscout.index.build import build_index, load_index
from labscout.rank.reading import ReadingParams, central_works, is_survey, reading_list
from labscout.records import Author, Authorship, Work
from labscout.store import Batch, Store

BO = "Bayesian optimization of expensive black-box functions with Gaussian processes"


def _w(wid, title, year, authors, refs=(), type_="article", cites=0, abstract=None) -> Work:
    n = len(authors)
    return Work(
        wid,
        title,
        abstract=abstract or title,
        publication_year=year,
        type=type_,
        cited_by_count=cites,
        referenced_works=tuple(refs),
        authorships=tuple(
            Authorship(a, "first" if i == 0 else "last" if i == n - 1 else "middle", i)
            for i, a in enumerate(authors)
        ),
    )


WORKS = [
    _w("S1", "A survey of Bayesian optimization", 2020, ["P1", "P2"], cites=500),
    _w("S2", "Bayesian optimization in practice", 2019, ["P3", "P4"], type_="review"),
    _w("C1", "Gaussian processes for machine learning", 2006, ["P5"], cites=9000),
    _w("C2", "Expected improvement for global optimization", 1998, ["P6"], cites=3000),
    _w("T1", f"{BO}: batch acquisition", 2021, ["P7", "P8"], refs=["C1", "C2", "X404"]),
    _w("T2", f"{BO}: high dimensions", 2022, ["P9", "P8"], refs=["C1", "C2"]),
    _w("T3", f"{BO}: multi-fidelity", 2024, ["P10", "P8"], refs=["C1"]),
    _w("T4", f"{BO}: constraints", 2018, ["P11", "P8"], refs=["C2"]),
    _w("T5", "Bayesian optimization for hyperparameter tuning", 2015, ["P12"], refs=["S1", "C1"]),
    _w("U1", "Protein structure prediction with deep learning", 2021, ["P13"]),
    _w("U2", "Crop yield forecasting from satellite images", 2023, ["P14"]),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("reading") / "r.duckdb"
    with Store(path) as store:
        authors = [Author(f"P{i}", f"Person {i}") for i in range(1, 15)]
        store.write(Batch(works=WORKS, authors=authors))
        build_index(store)
    return str(path)


def test_is_survey() -> None:
    assert is_survey(WORKS[0]) == "'survey' in the title"
    assert is_survey(WORKS[1]) == "a review (its type)"
    assert is_survey(_w("x", "Tutorials on kernels", 2000, ["a"])) == "'tutorials' in the title"
    assert is_survey(WORKS[2]) is None


def test_central_works_counts_citations_within_the_topic() -> None:
    topic = WORKS[4:9]
    stored = {w.id: w for w in WORKS}
    rel = {"T1": 1.0, "T2": 1.0, "T3": 1.0, "T4": 0.1, "T5": 1.0}
    got = central_works(topic, stored, 2, rel)
    # C1 cited by T1, T2, T3, T5 (weight 4.0); C2 by T1, T2, T4 (2.1); S1 once; X404 not stored
    assert got == [("C1", 4, pytest.approx(4.0)), ("C2", 3, pytest.approx(2.1))]


def test_reading_list_sections_in_order(corpus: str) -> None:
    with Store(corpus, read_only=True) as store:
        r = reading_list(store, "Bayesian optimization", ReadingParams(n_people=3))
    sections = [i.section for i in r.items]
    assert sections == sorted(sections, key=["surveys", "central", "recent"].index)
    assert [i.rank for i in r.items] == list(range(1, len(r.items) + 1))
    surveys = [i.work_id for i in r.items if i.section == "surveys"]
    assert set(surveys) == {"S1", "S2"}
    central = [i for i in r.items if i.section == "central"]
    assert r.central_basis == "references"
    assert central[0].work_id == "C1" and "cited by 4 of the topic's" in central[0].reason
    assert {i.work_id for i in central} == {"C1", "C2"}
    recent = [i for i in r.items if i.section == "recent"]
    # P8 is last author on T1-T4: the top researcher; their latest is T3 (2024)
    assert recent and recent[0].work_id == "T3"
    assert "2024 work of Person 8 (#1 researcher for this topic, last author)" in recent[0].reason
    assert len({i.work_id for i in r.items}) == len(r.items)  # no work twice


def test_citations_when_no_reference_lists(tmp_path) -> None:
    store = Store(tmp_path / "n.duckdb")
    store.write(Batch(works=[w.__class__(**{**_asdict(w), "referenced_works": ()}) for w in WORKS]))
    index = load_index(store, on_stale="rebuild")
    r = reading_list(store, "Bayesian optimization", index=index)
    assert r.central_basis == "citations"
    central = [i for i in r.items if i.section == "central"]
    assert central[0].work_id == "C1" or central[0].cited_by_count >= central[-1].cited_by_count
    assert all("no reference lists" in i.reason for i in central)
    store.close()


def _asdict(w: Work) -> dict:
    return {f: getattr(w, f) for f in w.__slots__ if f != "__weakref__"}


def test_cli(corpus: str) -> None:
    got = CliRunner().invoke(app, ["read", "Bayesian optimization", "--db", corpus, "-f", "json"])
    assert got.exit_code == 0, got.output
    data = json.loads(got.output)
    assert data["items"][0]["section"] == "surveys"
    table = CliRunner().invoke(app, ["read", "Bayesian optimization", "--db", corpus])
    assert table.exit_code == 0 and "survey" in table.output
    empty = CliRunner().invoke(app, ["read", "  ", "--db", corpus])
    assert empty.exit_code == 2
