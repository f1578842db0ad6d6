"""Conflicts of interest on the hand-made corpus, and the assignment solver on small
cases whose optimum is worked out by hand."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from labscout.cli import app
from labscout.committee import (
    InfeasibleError,
    assign,
    assign_files,
    conflicts_from_files,
    find_conflicts,
)
from labscout.committee.inputs import read_reviewers, read_submissions
from labscout.errors import InputError
from labscout.ingest import openalex_files
from labscout.store import Store

FIX = Path(__file__).parent / "fixtures" / "graph"
runner = CliRunner()


@pytest.fixture
def gstore(store: Store) -> Store:
    openalex_files(store, [FIX / "works.jsonl"], force=True)
    return store


# -- conflicts -----------------------------------------------------------------


def test_conflict_rules_on_known_corpus(gstore: Store) -> None:
    report = conflicts_from_files(
        gstore, FIX / "submissions.json", FIX / "reviewers.txt", coauthor_years=5, as_of=2023
    )
    got = {(c.paper_id, c.reviewer_id, c.reason) for c in report.conflicts}
    assert got == {
        ("P1", "A2", "author"),
        ("P1", "A1", "coauthor"),  # W1, 2020
        ("P1", "A3", "coauthor"),  # W2, 2021
        ("P4", "A3", "coauthor"),  # W4, 2022
        ("P4", "A13", "coauthor"),  # W13, 2022
        ("P2", "A10", "institution"),  # both at University of Alpha on their latest works
        ("P3", "A15", "advisor"),  # A14 first, A15 last author on W14 (2012) and W15 (2013)
    }
    # A2 first and A3 last on W3 (2015) and W2 (2021): 2021 is past A2's first six
    # years (2015-2020), so one early work only: no advisor pattern
    by = {(c.paper_id, c.reviewer_id, c.reason): c for c in report.conflicts}
    assert (
        by[("P1", "A3", "coauthor")].detail
        == ("co-authored 'Recent twos and threes' (2021) and 1 more")
        or "Recent twos and threes" in by[("P1", "A3", "coauthor")].detail
    )
    assert "University of Alpha" in by[("P2", "A10", "institution")].detail
    assert "2 works 2012-2013" in by[("P3", "A15", "advisor")].detail
    assert report.unknown_ids == ("A999",)
    assert report.n_papers == 4 and report.n_reviewers == 8


def test_coauthor_window_and_author_cap(gstore: Store) -> None:
    subs = {"P4": ["A4"]}
    # A5-A4 wrote together in 2010 only: outside 5 years, inside 15
    assert not find_conflicts(gstore, subs, ["A5"], coauthor_years=5, as_of=2023).conflicts
    wide = find_conflicts(gstore, subs, ["A5"], coauthor_years=15, as_of=2023)
    assert [(c.reason, c.detail) for c in wide.conflicts] == [
        ("coauthor", "co-authored 'An old five-four paper' (2010)")
    ]
    # A1 and A4 only share the 60-author paper
    assert not find_conflicts(gstore, subs, ["A1"], as_of=2023).conflicts
    capped = find_conflicts(gstore, subs, ["A1"], as_of=2023, max_authors=60)
    assert [c.reason for c in capped.conflicts] == ["coauthor"]


def test_conflicts_csv_feeds_assign(gstore: Store, tmp_path: Path) -> None:
    report = find_conflicts(gstore, {"P1": ["A2"]}, ["A1", "A3", "A5"], as_of=2023)
    path = tmp_path / "conflicts.csv"
    path.write_text(report.to_csv())
    scores = tmp_path / "scores.csv"
    scores.write_text(
        "paper_id,reviewer_id,score\nP1,A1,0.9\nP1,A3,0.8\nP1,A5,0.1\n", encoding="utf-8"
    )
    result = assign_files(scores, 1, 1, conflicts_path=path)
    assert [(p.paper_id, p.reviewer_id) for p in result.pairs] == [("P1", "A5")]
    assert result.n_conflicts_excluded == 2


def test_input_formats(tmp_path: Path) -> None:
    csv_subs = tmp_path / "s.csv"
    csv_subs.write_text("paper_id,author_id\nP1,A1\nP1,A2\nP2,\n", encoding="utf-8")
    subs, bad = read_submissions(csv_subs)
    assert subs == {"P1": ["A1", "A2"]} and len(bad) == 1
    js = tmp_path / "s.json"
    js.write_text(json.dumps({"P1": ["A1"], "P2": {"authors": ["A2"]}, "P3": "oops"}))
    subs, bad = read_submissions(js)
    assert subs == {"P1": ["A1"], "P2": ["A2"]} and len(bad) == 1
    revs = tmp_path / "r.csv"
    revs.write_text("reviewer_id,name\nA1,Ada\nA2,Ben\nA1,Ada again\n")
    assert read_reviewers(revs)[0] == ["A1", "A2"]
    broken = tmp_path / "b.json"
    broken.write_text("{not json")
    with pytest.raises(InputError):
        read_submissions(broken)
    with pytest.raises(InputError):
        read_submissions(tmp_path / "missing.json")


# -- assignment ----------------------------------------------------------------


def test_optimum_beats_greedy_two_by_two() -> None:
    # greedy takes p1-r1 (0.9) and is left with p2-r2 (0.1): 1.0; the optimum is 1.5
    scores = [("p1", "r1", 0.9), ("p1", "r2", 0.8), ("p2", "r1", 0.7), ("p2", "r2", 0.1)]
    a = assign(scores, reviewers_per_paper=1, max_papers_per_reviewer=1)
    assert {(p.paper_id, p.reviewer_id) for p in a.pairs} == {("p1", "r2"), ("p2", "r1")}
    assert a.total == pytest.approx(1.5) and a.min_paper_affinity == pytest.approx(0.7)
    blocked = assign(scores, 1, 1, conflicts=[("p1", "r2")])
    assert blocked.total == pytest.approx(1.0) and blocked.n_conflicts_excluded == 1


def test_fair_maximises_the_worst_paper_first() -> None:
    # total: p1-r1 + p2-r2 = 1.0 (worst paper 0.0); fair: p1-r2 + p2-r1 = 0.7 (worst 0.3)
    scores = [("p1", "r1", 1.0), ("p1", "r2", 0.3), ("p2", "r1", 0.4), ("p2", "r2", 0.0)]
    best = assign(scores, 1, 1)
    assert best.total == pytest.approx(1.0) and best.min_paper_affinity == pytest.approx(0.0)
    fair = assign(scores, 1, 1, fair=True)
    assert fair.total == pytest.approx(0.7) and fair.min_paper_affinity == pytest.approx(0.3)


def test_fair_then_total_among_equally_fair() -> None:
    # both assignments give the worst paper 0.5; the second stage picks the larger total
    scores = [("p1", "r1", 0.5), ("p1", "r2", 0.5), ("p2", "r1", 0.9), ("p2", "r2", 0.6)]
    fair = assign(scores, 1, 1, fair=True)
    assert fair.min_paper_affinity == pytest.approx(0.5) and fair.total == pytest.approx(1.4)


def test_matches_brute_force_on_random_small_cases() -> None:
    rng = random.Random(7)
    for _ in range(5):
        papers, revs = ["p1", "p2", "p3"], ["r1", "r2", "r3", "r4"]
        scores = [(p, r, round(rng.random(), 3)) for p in papers for r in revs]
        s = {(p, r): v for p, r, v in scores}
        best = -1.0
        for combo in itertools.product(itertools.combinations(revs, 2), repeat=3):
            loads = [sum(r in c for c in combo) for r in revs]
            if max(loads) <= 2:
                best = max(
                    best, sum(s[p, r] for p, c in zip(papers, combo, strict=True) for r in c)
                )
        a = assign(scores, reviewers_per_paper=2, max_papers_per_reviewer=2)
        assert a.total == pytest.approx(best)
        assert max(a.loads().values()) <= 2
        assert all(n == 2 for n in [sum(q.paper_id == p for q in a.pairs) for p in papers])


def test_infeasible_capacity_names_the_numbers() -> None:
    scores = [(p, r, 1.0) for p in ("p1", "p2", "p3") for r in ("r1", "r2")]
    with pytest.raises(InfeasibleError) as err:
        assign(scores, reviewers_per_paper=2, max_papers_per_reviewer=2)
    assert "3 papers x 2 reviewers = 6 assignments needed" in str(err.value)
    assert "allow only 4" in str(err.value)


def test_infeasible_paper_with_too_few_candidates() -> None:
    scores = [("p1", "r1", 1.0), ("p1", "r2", 1.0), ("p2", "r1", 1.0), ("p2", "r2", 1.0)]
    with pytest.raises(InfeasibleError) as err:
        assign(scores, 2, 2, conflicts=[("p2", "r2")])
    assert "fewer than 2 candidate reviewers" in str(err.value) and "p2 (1)" in str(err.value)


def test_infeasible_shared_reviewers_found_by_the_solver() -> None:
    # every paper has a candidate and capacity suffices overall, but p1 and p2 both
    # only have r1, who takes one paper
    scores = [("p1", "r1", 1), ("p2", "r1", 1), ("p3", "r1", 1), ("p3", "r2", 1), ("p3", "r3", 1)]
    with pytest.raises(InfeasibleError) as err:
        assign(scores, 1, 1)
    assert "only 2 of the 3 assignments" in str(err.value)


def test_scores_file_bad_rows_are_counted(tmp_path: Path) -> None:
    result = assign_files(FIX / "scores.csv", 1, 1)
    assert result.total == pytest.approx(1.5)
    assert len(result.rejected) == 1 and result.rejected[0].line == 6
    bad = tmp_path / "bad.csv"
    bad.write_text("paper,reviewer,score\n")
    with pytest.raises(InputError) as err:
        assign_files(bad, 1, 1)
    assert "paper_id" in str(err.value)


def test_cli_conflicts_and_assign(tmp_path: Path) -> None:
    db = tmp_path / "g.duckdb"
    with Store(db) as s:
        openalex_files(s, [FIX / "works.jsonl"], force=True)
    out = tmp_path / "c.csv"
    res = runner.invoke(
        app,
        [
            "conflicts", "--db", str(db), "--submissions", str(FIX / "submissions.json"),
            "--reviewers", str(FIX / "reviewers.txt"), "--as-of", "2023", "-o", str(out),
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "7 conflicted (paper, reviewer) pairs" in res.output
    assert out.read_text().startswith("paper_id,reviewer_id,reason,author_id,detail\n")
    res = runner.invoke(
        app,
        ["assign", "--scores", str(FIX / "scores.csv"), "--reviewers-per-paper", "1",
         "--max-papers-per-reviewer", "1"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "p1,r2,0.8" in res.output and "total affinity 1.5000" in res.output
    assert "minimum per-paper affinity 0.7000" in res.output
    res = runner.invoke(
        app,
        ["assign", "--scores", str(FIX / "scores.csv"), "--reviewers-per-paper", "3"],
    )
    assert res.exit_code == 2 and "fewer than 3 candidate reviewers" in res.output


def test_fair_time_limit_still_gives_a_feasible_assignment() -> None:
    rng = random.Random(3)
    scores = [(f"p{i}", f"r{j}", rng.random()) for i in range(12) for j in range(8)]
    a = assign(scores, 2, 4, fair=True, time_limit=1e-6)
    assert len(a.pairs) == 24 and max(a.loads().values()) <= 4
    assert all(sum(q.paper_id == f"p{i}" for q in a.pairs) == 2 for i in range(12))
    best = assign(scores, 2, 4)
    assert best.optimal and a.min_paper_affinity >= best.min_paper_affinity - 1e-9
    if not a.optimal:
        assert "not proven optimal" in a.summary()
