"""The gold-standard loss against a hand-worked example, and on the real data (TF-IDF only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from labscout.errors import InputError
from labscout.evaluation.goldstandard import evaluate, read_evaluations
from labscout.rank.affinity import affinity_from_files

# Worked by hand:
# A rates p1=5, p2=3, p3=1; scores .9, .2, .5
#   (p1,p2) t=2 d=.7 right: loss 0 / max 2; (p1,p3) t=4 d=.4: 0 / 4 (easy, right);
#   (p2,p3) t=2 d=-.3 wrong: 2 / 2
# B rates q1=4, q2=4, q3=2; scores .5, .1, .5
#   (q1,q2) t=0: nothing (tied, so not hard either); (q1,q3) t=2 d=0: 1 / 2 (easy, wrong);
#   (q2,q3) t=2 d=-.4: 2 / 2 (easy, wrong)
# C rates r1=5, r2=4, r3=4.5; scores .1, .3, .05
#   (r1,r2) t=1 d=-.2: 1 / 1 (hard, wrong); (r1,r3) t=.5 d=.05: 0 / .5 (hard, right);
#   (r2,r3) t=-.5 d=.25: .5 / .5 (hard, wrong)
# loss = (2 + 1 + 2 + 1 + .5) / (2 + 4 + 2 + 2 + 2 + 1 + .5 + .5) = 6.5 / 14
RATINGS = {
    "A": {"p1": 5, "p2": 3, "p3": 1},
    "B": {"q1": 4, "q2": 4, "q3": 2},
    "C": {"r1": 5, "r2": 4, "r3": 4.5},
}
SCORES = {
    ("p1", "~A"): 0.9,
    ("p2", "~A"): 0.2,
    ("p3", "~A"): 0.5,
    ("q1", "~B"): 0.5,
    ("q2", "~B"): 0.1,
    ("q3", "~B"): 0.5,
    ("r1", "C"): 0.1,
    ("r2", "C"): 0.3,
    ("r3", "C"): 0.05,
}


def test_loss_by_hand() -> None:
    r = evaluate(RATINGS, SCORES)
    assert r.loss == pytest.approx(6.5 / 14)
    assert (r.n_pairs, r.n_easy, r.n_hard, r.n_missing) == (8, 3, 3, 0)
    assert r.easy_accuracy == pytest.approx(1 / 3)
    assert r.hard_accuracy == pytest.approx(1 / 3)


def test_perfect_and_reversed_scores() -> None:
    perfect = {(p, pid): e for pid, rated in RATINGS.items() for p, e in rated.items()}
    assert evaluate(RATINGS, perfect).loss == 0.0
    reversed_ = {k: -v for k, v in perfect.items()}
    assert evaluate(RATINGS, reversed_).loss == 1.0
    assert evaluate(RATINGS, {k: 0.0 for k in perfect}).loss == 0.5


def test_missing_scores_count_as_ties() -> None:
    r = evaluate({"A": {"p1": 5, "p2": 1}}, {("p1", "A"): 1.0})
    assert r.n_missing == 1
    assert r.loss == pytest.approx(0.0)  # p2 defaults to 0, below p1
    r = evaluate({"A": {"p1": 5, "p2": 1}}, {})
    assert (r.n_missing, r.loss) == (2, 0.5)


def test_read_evaluations(tmp_path: Path) -> None:
    head = "\t".join(
        ["ParticipantID"]
        + [f"Paper{i}" for i in range(1, 11)]
        + [f"Expertise{i}" for i in range(1, 11)]
    )
    row = "\t".join(["42", "x", "y", "z"] + [""] * 7 + ["5.0", "2.5", ""] + [""] * 7)
    f = tmp_path / "evaluations.csv"
    f.write_text(head + "\n" + row + "\n", encoding="utf-8")
    assert read_evaluations(f) == {"42": {"x": 5.0, "y": 2.5}}
    f.write_text(head + "\n" + row.replace("2.5", "high") + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="non-numeric"):
        read_evaluations(f)
    with pytest.raises(InputError):
        read_evaluations(tmp_path / "absent.csv")


def test_tfidf_on_the_real_gold_standard(shared_data: Path) -> None:
    """TF-IDF alone lands where the literature puts it (TPMS 0.286), far from chance (0.5)."""
    gs = shared_data / "goldstandard"
    ratings = read_evaluations(gs / "evaluations.csv")
    assert len(ratings) == 40
    v = gs / "d_20_1"
    result = affinity_from_files(v / "submissions.json", v / "archives", None)
    r = evaluate(ratings, result.as_dict())
    assert r.n_missing == 0
    assert 0.2 < r.loss < 0.3
    assert r.easy_accuracy > 0.75
