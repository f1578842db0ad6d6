"""What to read first: surveys, then the works the topic cites most, then recent works of
the top researchers, on a hand-made corpus whose answer is known."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from labscout.cli import app
from labscout.index.build import build_index, load_index
from labscout.rank.reading import (
    ReadingItem,
    ReadingParams,
    central_works,
    is_survey,
    one_per_title,
    reading_list,
)
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


def test_every_item_has_an_http_link_and_authors(corpus: str) -> None:
    with Store(corpus, read_only=True) as store:
        r = reading_list(store, "Bayesian optimization", ReadingParams(n_people=3))
    assert r.items
    for it in r.items:
        assert it.url.startswith("https://"), it
        assert it.authors  # names as printed, else the stored display name
    # the hand-made works carry no DOI or arXiv id and are not OpenAlex ids: a title search
    s1 = next(i for i in r.items if i.work_id == "S1")
    assert s1.link_basis == "search" and "A%20survey%20of%20Bayesian" in s1.url
    assert s1.authors == ("Person 1", "Person 2")


def test_work_links_prefer_doi_then_arxiv_then_openalex() -> None:
    from labscout.links import safe_url, work_link

    got = work_link(Work("W1", "t", doi="10.1234/x<y>"))
    assert got == ("https://doi.org/10.1234/x%3Cy%3E", "doi")
    assert work_link(Work("W1", "t", doi="https://doi.org/10.5555/A")) == (
        "https://doi.org/10.5555/A",
        "doi",
    )
    arx = Work("arxiv:2101.00001v2", "t", ids=(("arxiv", "2101.00001v2"),))
    assert work_link(arx) == ("https://arxiv.org/abs/2101.00001", "arxiv")
    assert work_link(Work("W42", "t")) == ("https://openalex.org/W42", "openalex")
    evil = Work("paperlists:x", "t", extra={"site": "javascript:alert(1)"})
    assert work_link(evil)[1] == "search"
    ok = Work("paperlists:x", "t", extra={"site": "https://openreview.net/forum?id=a"})
    assert work_link(ok) == ("https://openreview.net/forum?id=a", "site")
    assert safe_url('https://x.org/"><script>') is None
    assert safe_url("ftp://x.org/a") is None


def test_bibtex_round_trips_through_bibtexparser(corpus: str) -> None:
    import bibtexparser

    from labscout.bibtex import escape, to_bibtex

    with Store(corpus, read_only=True) as store:
        r = reading_list(store, "Bayesian optimization", ReadingParams(n_people=3))
    text = r.to_bibtex()
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks
    assert len(lib.entries) == len(r.items)
    assert len({e.key for e in lib.entries}) == len(lib.entries)  # keys unique
    for entry, it in zip(lib.entries, r.items, strict=True):
        assert entry["url"] == it.url
        assert entry["title"] == "{" + escape(it.title) + "}"
        assert entry["author"] == " and ".join(escape(a) for a in it.authors)

    class Item:  # a hostile title must not end its entry or the file early
        work_id, year, venue, doi, url = "X1", 2020, "A & B", "10.1/a_b", "javascript:x"
        title = "Graphs } @misc{evil, title={x}} 100% $x_1$ #2 ~ ^ \\ end"
        authors = ("Ada {Odd", "B. C_D")

    lib = bibtexparser.parse_string(to_bibtex([Item()]))
    assert not lib.failed_blocks and [e.key for e in lib.entries] == ["odd2020graphs"]
    assert "url" not in lib.entries[0].fields_dict  # only http(s) links are written
    assert lib.entries[0]["doi"] == "10.1/a_b"
    assert "\\%" in lib.entries[0]["title"] and "\\_" in lib.entries[0]["title"]


def test_read_format_bib(corpus: str) -> None:
    import bibtexparser

    got = CliRunner().invoke(app, ["read", "Bayesian optimization", "--db", corpus, "-f", "bib"])
    assert got.exit_code == 0, got.output
    assert len(bibtexparser.parse_string(got.stdout).entries) >= 3
    bad = CliRunner().invoke(app, ["read", "Bayesian optimization", "--db", corpus, "-f", "x"])
    assert bad.exit_code == 2 and "bib" in bad.output


def test_central_works_are_relevant_to_the_topic(demo_db: str) -> None:
    """On the 195-work demo every work cites a prover's benchmark ("MizAR 60 for Mizar
    50") or a topic model more than the GNN papers: without the relevance cut they were
    "central" for graph neural networks."""
    with Store(demo_db, read_only=True) as store:
        r = reading_list(store, "graph neural networks")
        everything = reading_list(
            store, "graph neural networks", ReadingParams(share=1.0, min_works=1000)
        )
    assert r.n_relevant == 20 and r.n_topic_works == 20  # a tenth of the store, at least 20
    central = [i.title for i in r.items if i.section == "central"]
    assert central and not any("Mizar" in t for t in central)
    assert "Semi-Supervised Classification with Graph Convolutional Networks" in central
    # the same list with the whole store as "the topic" lists the prover's benchmark
    assert any("Mizar" in i.title for i in everything.items if i.section == "central")


def _item(wid: str, title: str, basis: str, section: str = "recent") -> ReadingItem:
    return ReadingItem(section, 0, wid, title, 2024, None, None, None, None, None, "why",
                       f"https://example.org/{wid}", basis)  # fmt: skip


def test_one_paper_listed_by_two_venues_is_read_once() -> None:
    items = [
        _item("ICML", "Deep Sets: a Study", "dblp", "surveys"),
        _item("OTHER", "Something else", "doi"),
        _item("ICLR", "deep sets - a {S}tudy", "openreview"),
        _item("ARX", "Deep sets: a study.", "arxiv"),
        _item("DUP", "Deep Sets: a study", "arxiv"),
        _item("E1", "", "search"),
        _item("E2", "", "search"),
    ]
    got = [it.work_id for it in one_per_title(items)]
    # the arXiv-linked version is the best link; the first of two equal links stays
    assert got == ["OTHER", "ARX", "E1", "E2"]


def test_reading_list_holds_one_paper_once(tmp_path) -> None:
    twin = "Bayesian optimization: a survey of the practice"
    icml = _w("ICML", twin, 2021, ["P1"], type_="review")
    iclr = _w("ICLR", twin.upper() + ".", 2021, ["P1"], type_="review")
    iclr = iclr.__class__(**{**_asdict(iclr), "doi": "10.1234/iclr.2021"})
    with Store(tmp_path / "t.duckdb") as store:
        store.write(Batch(works=[*WORKS, icml, iclr], authors=[Author("P1", "Person 1")]))
        index = load_index(store, on_stale="rebuild")
        r = reading_list(store, "Bayesian optimization survey", index=index)
    ids = [i.work_id for i in r.items]
    assert "ICLR" in ids and "ICML" not in ids  # the DOI-linked version stays
    assert [i.rank for i in r.items] == list(range(1, len(ids) + 1))
