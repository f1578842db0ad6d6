"""The gold-standard protocol for reviewer-paper expertise (Stelmakh et al., 2023).

Participants rated, from 1 to 5, how well they could review each of up to 10
papers. A method scores every (participant, paper) pair; for every pair of
papers a participant rated, with true difference ``t = e1 - e2`` and predicted
difference ``d = s1 - s2``, the pair adds ``|t|`` to the maximum loss, and to
the loss ``|t|`` when ``d`` and ``t`` have opposite signs or ``|t| / 2`` when
``d == 0``. Loss = loss / maximum loss (0 perfect, 0.5 chance). Secondary
figures: accuracy on easy pairs (one rated >= 4, the other <= 2) and hard
pairs (both >= 4, not tied), a pair being right when ``d`` and ``t`` share
their sign.

Reading ``evaluations.csv`` and the loss are here; scoring lives in
:mod:`labscout.rank.affinity`.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from labscout.errors import InputError

Ratings = dict[str, dict[str, float]]
"""participant id -> {paper id: expertise 1..5}."""


@dataclass(frozen=True)
class GoldStandardResult:
    """The loss and the pair accuracies of one set of scores."""

    loss: float
    easy_accuracy: float
    hard_accuracy: float
    n_pairs: int
    n_easy: int
    n_hard: int
    n_missing: int
    """Rated (participant, paper) pairs that had no score (scored as ties)."""


def participant_key(reviewer_id: str) -> str:
    """``~1737249`` (an archive file stem) and ``1737249`` name the same participant."""
    return reviewer_id.lstrip("~")


def read_evaluations(path: str | Path) -> Ratings:
    """Read ``evaluations.csv`` (tab-separated ``ParticipantID, Paper1..10, Expertise1..10``)."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    ratings: Ratings = {}
    with handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            pid = (row.get("ParticipantID") or "").strip()
            if not pid:
                continue
            papers: dict[str, float] = {}
            for i in range(1, 11):
                paper = (row.get(f"Paper{i}") or "").strip()
                value = (row.get(f"Expertise{i}") or "").strip()
                if paper and value:
                    try:
                        papers[paper] = float(value)
                    except ValueError:
                        raise InputError(
                            f"{path}: participant {pid} has a non-numeric Expertise{i}: {value!r}"
                        ) from None
            ratings[pid] = papers
    if not ratings:
        raise InputError(f"{path} holds no participants", hint="Expected evaluations.csv.")
    return ratings


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def evaluate(
    ratings: Mapping[str, Mapping[str, float]],
    scores: Mapping[tuple[str, str], float],
) -> GoldStandardResult:
    """Loss and easy/hard pair accuracy of ``scores``.

    ``ratings`` maps participant -> {paper: expertise}; ``scores`` maps
    ``(paper id, participant id)`` -> score, larger meaning more expertise;
    participant ids may carry the ``~`` of the archive file names. A rated
    pair without a score counts as a tie (d = 0) and is reported in
    ``n_missing``.
    """
    by_key = {(paper, participant_key(rev)): s for (paper, rev), s in scores.items()}
    loss = max_loss = 0.0
    n_pairs = n_easy = n_hard = easy_right = hard_right = 0
    missing: set[tuple[str, str]] = set()
    for pid, rated in ratings.items():
        key = participant_key(pid)
        for paper in rated:
            if (paper, key) not in by_key:
                missing.add((paper, key))
        for (p1, e1), (p2, e2) in combinations(rated.items(), 2):
            t = e1 - e2
            d = by_key.get((p1, key), 0.0) - by_key.get((p2, key), 0.0)
            if t != 0:
                n_pairs += 1
                max_loss += abs(t)
                if d == 0:
                    loss += abs(t) / 2
                elif _sign(d) != _sign(t):
                    loss += abs(t)
            right = t != 0 and _sign(d) == _sign(t)
            if (e1 >= 4 and e2 <= 2) or (e2 >= 4 and e1 <= 2):
                n_easy += 1
                easy_right += right
            elif e1 >= 4 and e2 >= 4 and t != 0:
                n_hard += 1
                hard_right += right
    return GoldStandardResult(
        loss=loss / max_loss if max_loss else 0.0,
        easy_accuracy=easy_right / n_easy if n_easy else 0.0,
        hard_accuracy=hard_right / n_hard if n_hard else 0.0,
        n_pairs=n_pairs,
        n_easy=n_easy,
        n_hard=n_hard,
        n_missing=len(missing),
    )
