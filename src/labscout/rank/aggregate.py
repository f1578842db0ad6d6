"""Works -> researchers: roll scored works up to the people who wrote them.

Pure functions over records: a work's relevance to the query, times its
recency weight, times the author's credit for it (authorship position, with
middle authors of big teams sharing theirs), is what the work contributes to
that author; an author's score adds their best contributions (``max_works`` of
them, each weighted ``work_decay**i``; since issue 18 a plain sum of up to 50, so a
body of relevant work counts). docs/scoring.md says the same in plain words.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from labscout.rank.params import RankParams
from labscout.records import Authorship, Work


@dataclass(frozen=True)
class Contribution:
    """What one work adds to one author's score, and why."""

    work_id: str
    author_id: str
    value: float
    relevance: float
    recency: float
    credit: float
    authorship: Authorship
    n_authors: int


@dataclass(frozen=True)
class AuthorScore:
    author_id: str
    score: float
    contributions: tuple[Contribution, ...]
    """Every contribution, largest first (only the first ``max_works`` count)."""


def recency_weight(year: int | None, reference_year: int, params: RankParams) -> float:
    """``0.5 ** (age / recency_half_life)``; works from the future count as new."""
    if year is None:
        return params.unknown_year_weight
    age = max(0, reference_year - year)
    return 0.5 ** (age / params.recency_half_life)


def authorship_credit(a: Authorship, n_authors: int, params: RankParams) -> float:
    """The credit an author gets for a work from their position on it.

    Sole author: ``weight_single``. Otherwise the largest of the weights that
    apply (last, corresponding, first); anyone else gets ``weight_middle``,
    scaled by ``team_size / n_authors`` when the work has more than
    ``team_size`` authors.
    """
    if n_authors <= 1:
        return params.weight_single
    weights = []
    if a.author_position == "last":
        weights.append(params.weight_last)
    if a.is_corresponding:
        weights.append(params.weight_corresponding)
    if a.author_position == "first":
        weights.append(params.weight_first)
    if weights:
        return max(weights)
    credit = params.weight_middle
    if n_authors > params.team_size:
        credit *= params.team_size / n_authors
    return credit


def combine(values: list[float], params: RankParams) -> float:
    """A researcher's score from their contributions: sum of ``v_i * work_decay**i``
    over the ``max_works`` largest, largest first."""
    best = sorted(values, reverse=True)[: params.max_works]
    return sum(v * params.work_decay**i for i, v in enumerate(best))


def aggregate(
    work_scores: Mapping[str, float],
    works: Mapping[str, Work],
    params: RankParams | None = None,
    exclude: Collection[str] = (),
    person_of: Mapping[str, str] | None = None,
) -> list[AuthorScore]:
    """Rank the authors of the scored works, best first (ties by id).

    ``work_scores``: work id -> relevance to the query; ``works``: the records
    with their authorships. ``person_of`` maps author ids to one id per person
    (identity merges), so that a person with two ids is ranked once.
    ``exclude``: author (or person) ids left out.
    """
    params = params or RankParams()
    ref = params.reference_year or datetime.now(UTC).year
    person_of = person_of or {}
    excluded = set(exclude)
    by_author: dict[str, list[Contribution]] = {}
    for wid, relevance in work_scores.items():
        work = works.get(wid)
        if work is None or relevance <= 0:
            continue
        rec = recency_weight(work.publication_year, ref, params)
        n = len(work.authorships)
        best: dict[str, Contribution] = {}  # one contribution per person per work
        for a in work.authorships:
            pid = person_of.get(a.author_id, a.author_id)
            if pid in excluded or a.author_id in excluded:
                continue
            credit = authorship_credit(a, n, params)
            c = Contribution(wid, pid, relevance * rec * credit, relevance, rec, credit, a, n)
            if pid not in best or c.value > best[pid].value:
                best[pid] = c
        for pid, c in best.items():
            by_author.setdefault(pid, []).append(c)
    out = []
    for pid, contribs in by_author.items():
        contribs.sort(key=lambda c: (-c.value, c.work_id))
        out.append(AuthorScore(pid, combine([c.value for c in contribs], params), tuple(contribs)))
    out.sort(key=lambda s: (-s.score, s.author_id))
    return out
