"""Signals on hand-made records whose answers are worked out by hand (reference year 2024,
"lately" = 2020-2024)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from labscout.cli import app
from labscout.errors import NotFoundError
from labscout.records import Author, Authorship, Institution, Topic, Work
from labscout.signals import SignalParams, researcher_profile
from labscout.store import Batch, Store

P = SignalParams(reference_year=2024, recent_years=5, early_years=3)


def _w(wid: str, year: int, authors: list[str], inst: dict[str, str] | None = None, **kw) -> Work:
    """Authors in order; the first is 'first', the last 'last' (a sole author is 'first')."""
    inst = inst or {}
    ships = []
    for i, a in enumerate(authors):
        pos = "first" if i == 0 else "last" if i == len(authors) - 1 else "middle"
        ships.append(
            Authorship(
                a,
                pos,
                i,
                raw_author_name=a,
                institution_ids=(inst[a],) if a in inst else (),
            )
        )
    return Work(wid, f"title {wid}", publication_year=year, authorships=tuple(ships), **kw)


ML = (Topic("T1", "Machine learning", 0.9),)
BAYES = (Topic("T2", "Bayesian inference", 0.8),)

WORKS = [
    _w("W1", 2010, ["A1", "A9"], {"A1": "I0"}),  # A1 starts; A1 first author
    _w("W2", 2018, ["S1", "A1"], {"A1": "I1"}),  # S1's first work: a student (2018)
    _w("W4", 2020, ["S2", "X1"]),  # S2 starts, without A1
    _w("W3", 2021, ["S2", "C1", "A1"], {"A1": "I1"}, topics=ML),  # S2: 1 year in -> student
    _w("W6", 2005, ["P1"]),  # P1 started long ago
    _w("W5", 2022, ["P1", "A1"], {"A1": "I1"}, topics=ML),  # a peer, not a student
    _w("W7", 2023, ["S3", "A1", "B1"], {"A1": "I1"}, topics=BAYES),  # S3: student, A1 middle
    _w("W8", 2024, ["A1"], {"A1": "I1"}),  # sole author: not multi-author
    _w("W9", 2023, ["S1", "A1"], {"A1": "I1"}),  # S1 again: counted once
    _w("W11", 2019, ["S4"]),  # S4 starts 2019
    _w("W12", 2023, ["S4", "A1"], {"A1": "I1"}),  # 4 years in: not a student
]
PEOPLE = ["A1", "A9", "S1", "S2", "S3", "S4", "X1", "C1", "P1", "B1"]


def _fill(store: Store, works=WORKS, authors=None) -> None:
    store.write(
        Batch(
            works=list(works),
            authors=authors or [Author(a, f"Name {a}") for a in PEOPLE],
            institutions=[
                Institution("I0", "Old Uni", country_code="DE", type="education"),
                Institution("I1", "New Lab", country_code="CH", type="company"),
                Institution("I2", "Record Uni", country_code="FR", type="education"),
            ],
        )
    )


@pytest.fixture
def filled(store: Store) -> Store:
    _fill(store)
    return store


def test_activity(filled: Store) -> None:
    a = researcher_profile(filled, "A1", P).activity
    assert a.n_works == 8 and a.first_year == 2010
    assert a.window == (2020, 2024)
    assert a.n_recent == 6  # W3 W5 W7 W8 W9 W12
    assert a.works_per_year == pytest.approx(1.2)
    assert dict(a.per_year) == {2020: 0, 2021: 1, 2022: 1, 2023: 3, 2024: 1}
    assert a.last_work.work_id == "W8" and a.last_work.position == "first"
    assert "6 works in 2020-2024 (1.2 a year)" in a.summary


def test_seniority(filled: Store) -> None:
    s = researcher_profile(filled, "A1", P).seniority
    # multi-author works lately: W3 (last), W5 (last), W7 (middle), W9 (last), W12 (last)
    assert (s.n_multi_author, s.n_last, s.n_first, s.n_middle) == (5, 4, 0, 1)
    assert s.share_last == pytest.approx(0.8)
    assert {w.work_id for w in s.last_author_works} == {"W3", "W5", "W9", "W12"}
    assert "last author on 4 of 5" in s.summary


def test_students(filled: Store) -> None:
    st = researcher_profile(filled, "A1", P).students
    assert [s.author_id for s in st.students] == ["S3", "S2", "S1"]  # newest first
    by_id = {s.author_id: s for s in st.students}
    assert by_id["S1"].first_joint_work.work_id == "W2" and by_id["S1"].first_year == 2018
    assert by_id["S2"].first_joint_work.work_id == "W3" and by_id["S2"].first_year == 2020
    assert by_id["S3"].name == "Name S3"
    assert st.n_recent == 2 and st.recent_from == 2020
    # P1 started before A1, S4 joined 4 years in, A9 co-wrote A1's own first-author paper
    assert not {"P1", "S4", "A9", "C1", "B1"} & set(by_id)


def test_students_window_is_a_parameter(filled: Store) -> None:
    wide = researcher_profile(filled, "A1", SignalParams(reference_year=2024, early_years=5))
    assert "S4" in {s.author_id for s in wide.students.students}


def test_growth(filled: Store) -> None:
    g = researcher_profile(filled, "A1", P).growth
    # first joint years: A9 2010, S1 2018, S2+C1 2021, P1 2022, S3+B1+S4 2023
    assert dict(g.per_year) == {2020: 0, 2021: 2, 2022: 1, 2023: 3, 2024: 0}
    assert g.n_recent == 6 and g.n_before == 1


def test_institution_from_latest_work_then_author_record(store: Store) -> None:
    _fill(store)
    i = researcher_profile(store, "A1", P).institution
    assert (i.institution_id, i.basis, i.work.work_id) == ("I1", "latest work", "W8")
    assert (i.type, i.country_code) == ("company", "CH")
    full = Author("A1", "Name A1", last_known_institution_ids=("I2",), is_full=True)
    store.write(Batch(authors=[full]))
    i = researcher_profile(store, "A1", P).institution
    assert (i.institution_id, i.basis, i.type) == ("I2", "author record", "education")


def test_topics_over_time_and_coauthors(filled: Store) -> None:
    p = researcher_profile(filled, "A1", SignalParams(reference_year=2024, period_years=2))
    assert p.topics_basis == "topics"
    last = p.topics_over_time[-1]
    assert (last.start, last.end) == (2023, 2024)
    assert last.topics == (("Bayesian inference", 0.8),)
    prev = p.topics_over_time[-2]
    assert (prev.start, prev.end, prev.topics) == (2021, 2022, (("Machine learning", 1.8),))
    co = p.top_coauthors
    assert co[0].author_id == "S1" and co[0].n_works == 2 and co[0].last_year == 2023
    assert {c.author_id for c in co} == set(PEOPLE) - {"A1", "X1"}


def test_venues_when_no_topics(store: Store) -> None:
    _fill(store, [_w("W1", 2020, ["A1", "B1"], venue="NeurIPS")])
    p = researcher_profile(store, "A1", P)
    assert p.topics_basis == "venues"
    assert p.topics_over_time[0].topics == (("NeurIPS", 1.0),)


def test_one_person_across_ids(filled: Store) -> None:
    # dblp:a1 is A1 under another id; its work brings a new student S5
    filled.write(
        Batch(
            works=[_w("W13", 2024, ["S5", "dblp:a1"])],
            authors=[Author("dblp:a1", "A. One", source="dblp"), Author("S5", "Name S5")],
        )
    )
    filled.con.execute(
        "INSERT INTO identity_links VALUES (1, 'dblp:a1', 'A1', 'orcid', 'test', NULL, now(), NULL)"
    )
    p = researcher_profile(filled, "A1", P)
    assert p.author_ids == ("A1", "dblp:a1")
    assert p.activity.n_works == 9
    assert "S5" in {s.author_id for s in p.students.students}


def test_unknown_author(filled: Store) -> None:
    with pytest.raises(NotFoundError):
        researcher_profile(filled, "A404", P)


def test_cli_json_and_table(tmp_path) -> None:
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        _fill(s)
    runner = CliRunner()
    got = runner.invoke(app, ["researcher", "A1", "--db", str(db), "--year", "2024", "-f", "json"])
    assert got.exit_code == 0, got.output
    data = json.loads(got.output)
    assert data["students"]["n_recent"] == 2
    assert data["seniority"]["share_last"] == pytest.approx(0.8)
    table = runner.invoke(app, ["researcher", "A1", "--db", str(db), "--year", "2024"])
    assert table.exit_code == 0 and "senior position" in table.output
    bad = runner.invoke(app, ["researcher", "A404", "--db", str(db)])
    assert bad.exit_code == 2 and "no author A404" in bad.output
