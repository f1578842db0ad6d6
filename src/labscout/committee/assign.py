"""Reviewer assignment: maximise affinity under load constraints, with a MILP solver.

Every paper gets exactly ``reviewers_per_paper`` reviewers, no reviewer more
than ``max_papers_per_reviewer`` papers, and only pairs that have a score and
no conflict are candidates. The objective is the total affinity; with
``fair=True`` it is first the affinity of the worst-served paper (the sum of
its reviewers' scores), then, with that level held, the total, as the
FairFlow/FairSequence matchers of OpenReview aim at. Both are solved with
HiGHS through :func:`scipy.optimize.milp`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from labscout.errors import ConfigError, InputError, LabscoutError
from labscout.records import Rejected

MAX_LISTED = 5
DEFAULT_FAIR_TIME_LIMIT = 60.0
"""Seconds each stage of the fair assignment may search before taking the best found."""
FAIR_GAP = 1e-4
"""Relative optimality gap at which the fair stages stop."""


class InfeasibleError(LabscoutError):
    """The load constraints cannot all be met."""

    default_hint = (
        "Lower --reviewers-per-paper, raise --max-papers-per-reviewer, add reviewers, "
        "or score more (paper, reviewer) pairs."
    )


@dataclass(frozen=True, slots=True)
class AssignedPair:
    paper_id: str
    reviewer_id: str
    score: float


@dataclass(frozen=True)
class Assignment:
    """A solved assignment and the figures that judge it."""

    pairs: tuple[AssignedPair, ...]
    total: float
    min_paper_affinity: float
    reviewers_per_paper: int
    max_papers_per_reviewer: int
    fair: bool
    n_papers: int
    n_reviewers: int
    n_candidates: int
    n_conflicts_excluded: int
    rejected: tuple[Rejected, ...] = field(default=())
    optimal: bool = True  # False: a fair stage hit its time limit (best found)

    @property
    def mean_pair_score(self) -> float:
        return self.total / len(self.pairs) if self.pairs else 0.0

    def per_paper(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for p in self.pairs:
            out[p.paper_id] = out.get(p.paper_id, 0.0) + p.score
        return out

    def loads(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.pairs:
            out[p.reviewer_id] = out.get(p.reviewer_id, 0) + 1
        return out

    def summary(self) -> str:
        loads = self.loads()
        return (
            f"{self.n_papers} papers x {self.reviewers_per_paper} reviewers = "
            f"{len(self.pairs)} assignments over {len(loads)} of {self.n_reviewers} reviewers "
            f"(max load {max(loads.values(), default=0)}); total affinity {self.total:.4f}, "
            f"minimum per-paper affinity {self.min_paper_affinity:.4f}, "
            f"mean pair score {self.mean_pair_score:.4f}"
            + (" [fair: worst paper first]" if self.fair else "")
            + ("" if self.optimal else " (time limit reached: best found, not proven optimal)")
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "min_paper_affinity": self.min_paper_affinity,
            "mean_pair_score": self.mean_pair_score,
            "reviewers_per_paper": self.reviewers_per_paper,
            "max_papers_per_reviewer": self.max_papers_per_reviewer,
            "fair": self.fair,
            "optimal": self.optimal,
            "n_papers": self.n_papers,
            "n_reviewers": self.n_reviewers,
            "n_candidates": self.n_candidates,
            "n_conflicts_excluded": self.n_conflicts_excluded,
            "rejected": [_rej(r) for r in self.rejected],
            "pairs": [
                {"paper_id": p.paper_id, "reviewer_id": p.reviewer_id, "score": p.score}
                for p in self.pairs
            ],
        }


def _rej(r: Rejected) -> dict[str, Any]:
    return {"location": r.location, "line": r.line, "reason": r.reason}


def _listed(items: Sequence[str]) -> str:
    more = f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else ""
    return ", ".join(items[:MAX_LISTED]) + more


def _check_feasible(
    papers: list[str],
    reviewers: list[str],
    p_idx: np.ndarray,
    r_idx: np.ndarray,
    per: int,
    cap: int,
) -> None:
    need = len(papers) * per
    per_paper = np.bincount(p_idx, minlength=len(papers))
    short = [f"{papers[i]} ({per_paper[i]})" for i in np.flatnonzero(per_paper < per)]
    if short:
        raise InfeasibleError(
            f"{len(short)} paper(s) have fewer than {per} candidate reviewers (scored, not "
            f"conflicted): {_listed(short)}"
        )
    per_rev = np.bincount(r_idx, minlength=len(reviewers))
    room = int(np.minimum(per_rev, cap).sum())
    if need > room:
        raise InfeasibleError(
            f"{len(papers)} papers x {per} reviewers = {need} assignments needed, but "
            f"{len(reviewers)} reviewers x at most {cap} papers (and their candidate pairs) "
            f"allow only {room}"
        )


def assign(
    scores: Iterable[tuple[str, str, float]],
    reviewers_per_paper: int = 3,
    max_papers_per_reviewer: int = 6,
    conflicts: Iterable[tuple[str, str]] = (),
    fair: bool = False,
    rejected: Sequence[Rejected] = (),
    time_limit: float = DEFAULT_FAIR_TIME_LIMIT,
) -> Assignment:
    """Solve the assignment for ``scores`` given as ``(paper_id, reviewer_id, score)``.

    Pairs without a score are not candidates; ``conflicts`` are
    ``(paper_id, reviewer_id)`` pairs never assigned. The total-affinity problem
    is solved to optimality; each of the two ``fair`` stages (a harder problem)
    stops after ``time_limit`` seconds with the best assignment found
    (``Assignment.optimal`` says whether it is proven optimal). Raises
    :class:`InfeasibleError` with the numbers when the loads cannot be met.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array, hstack

    if reviewers_per_paper < 1 or max_papers_per_reviewer < 1:
        raise ConfigError("--reviewers-per-paper and --max-papers-per-reviewer must be >= 1")
    table: dict[tuple[str, str], float] = {}
    for p, r, s in scores:
        table[(p, r)] = float(s)  # a repeated pair: the last score counts
    if not table:
        raise InputError(
            "no scores given", hint="scores.csv needs paper_id,reviewer_id,score rows."
        )
    papers = sorted({p for p, _ in table})
    reviewers = sorted({r for _, r in table})
    blocked = set(conflicts)
    n_blocked = sum(1 for pair in table if pair in blocked)
    cand = [(pr, s) for pr, s in table.items() if pr not in blocked]
    pi = {p: i for i, p in enumerate(papers)}
    ri = {r: i for i, r in enumerate(reviewers)}
    p_idx = np.array([pi[p] for (p, _), _ in cand], dtype=np.int64)
    r_idx = np.array([ri[r] for (_, r), _ in cand], dtype=np.int64)
    w = np.array([s for _, s in cand], dtype=np.float64)
    per, cap = reviewers_per_paper, max_papers_per_reviewer
    _check_feasible(papers, reviewers, p_idx, r_idx, per, cap)

    n, cols = len(cand), np.arange(len(cand))
    a_paper = coo_array((np.ones(n), (p_idx, cols)), shape=(len(papers), n)).tocsr()
    a_rev = coo_array((np.ones(n), (r_idx, cols)), shape=(len(reviewers), n)).tocsr()
    a_aff = coo_array((w, (p_idx, cols)), shape=(len(papers), n)).tocsr()

    def run(c, constraints, integrality, bounds, limit: float | None = None):
        options: dict[str, Any] = {"presolve": True, "mip_rel_gap": 1e-9}
        if limit is not None:
            options.update(time_limit=float(limit), mip_rel_gap=FAIR_GAP)
        return milp(
            c, constraints=constraints, integrality=integrality, bounds=bounds, options=options
        )

    def worst(xs: np.ndarray) -> float:
        sel = xs[:n] > 0.5
        return float(np.bincount(p_idx[sel], weights=w[sel], minlength=len(papers)).min())

    load = [
        LinearConstraint(a_paper, per, per),
        LinearConstraint(a_rev, 0, cap),
    ]
    # the total-affinity problem is a bipartite b-matching: its LP is integral, so
    # HiGHS solves it at the root
    res = run(-w, load, np.ones(n), Bounds(0, 1))
    if res.status != 0 or res.x is None:
        _explain_infeasible(papers, a_paper, a_rev, per, cap, n)
    x, optimal = res.x, True
    if fair:
        # variables: x (n pairs) and t, the worst paper's affinity; first maximise t,
        # starting from the worst paper of the max-total assignment
        n_p, n_r = len(papers), len(reviewers)
        a_t = hstack([a_aff, coo_array(-np.ones((n_p, 1)))]).tocsr()
        with_t = [
            LinearConstraint(hstack([a_paper, coo_array((n_p, 1))]).tocsr(), per, per),
            LinearConstraint(hstack([a_rev, coo_array((n_r, 1))]).tocsr(), 0, cap),
            LinearConstraint(a_t, 0, np.inf),
        ]
        lo = np.append(np.zeros(n), worst(x))
        hi = np.append(np.ones(n), np.inf)
        integ = np.append(np.ones(n), 0)
        c1 = np.zeros(n + 1)
        c1[-1] = -1.0
        res = run(c1, with_t, integ, Bounds(lo, hi), time_limit)
        if res.x is not None:
            optimal = res.status == 0
            x = res.x[:n]
            t_star = worst(res.x)
            lo[-1] = t_star - 1e-7 * max(1.0, abs(t_star))
            res = run(np.append(-w, 0.0), with_t, integ, Bounds(lo, hi), time_limit)
            if res.x is not None and worst(res.x) >= lo[-1]:
                x = res.x[:n]
                optimal = optimal and res.status == 0
            else:
                optimal = False
        else:
            optimal = False  # nothing better found in time: the max-total assignment
    chosen = np.flatnonzero(x > 0.5)
    pairs = tuple(
        sorted(
            (AssignedPair(cand[j][0][0], cand[j][0][1], cand[j][1]) for j in chosen),
            key=lambda a: (a.paper_id, -a.score, a.reviewer_id),
        )
    )
    per_paper = np.bincount(p_idx[chosen], weights=w[chosen], minlength=len(papers))
    return Assignment(
        pairs=pairs,
        total=float(w[chosen].sum()),
        min_paper_affinity=float(per_paper.min()) if len(papers) else 0.0,
        reviewers_per_paper=per,
        max_papers_per_reviewer=cap,
        fair=fair,
        n_papers=len(papers),
        n_reviewers=len(reviewers),
        n_candidates=n,
        n_conflicts_excluded=n_blocked,
        rejected=tuple(rejected),
        optimal=optimal,
    )


def _explain_infeasible(papers, a_paper, a_rev, per: int, cap: int, n: int) -> None:
    """Find how many assignments can be placed at most (a max-flow as an LP) and say so."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    res = milp(
        -np.ones(n),
        constraints=[LinearConstraint(a_paper, 0, per), LinearConstraint(a_rev, 0, cap)],
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
    )
    need = len(papers) * per
    most = int(round(-res.fun)) if res.x is not None else 0
    raise InfeasibleError(
        f"only {most} of the {need} assignments ({len(papers)} papers x {per}) can be placed "
        f"with at most {cap} papers per reviewer: some papers share too few candidate reviewers"
    )


def assign_files(
    scores_path: str | Path,
    reviewers_per_paper: int = 3,
    max_papers_per_reviewer: int = 6,
    conflicts_path: str | Path | None = None,
    fair: bool = False,
    time_limit: float = DEFAULT_FAIR_TIME_LIMIT,
) -> Assignment:
    """:func:`assign` on a scores CSV and an optional conflicts CSV."""
    from labscout.committee.inputs import read_conflict_pairs, read_scores

    scores, bad = read_scores(scores_path)
    blocked: set[tuple[str, str]] = set()
    if conflicts_path is not None:
        blocked, bad_c = read_conflict_pairs(conflicts_path)
        bad += bad_c
    return assign(
        scores,
        reviewers_per_paper,
        max_papers_per_reviewer,
        blocked,
        fair=fair,
        rejected=bad,
        time_limit=time_limit,
    )
