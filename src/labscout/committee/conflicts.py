"""Conflicts of interest between reviewers and submissions, read from the store.

A (reviewer, paper) pair is flagged, once per reason and paper author, when:

- ``author``: the reviewer is an author of the paper;
- ``coauthor``: the reviewer and an author share a work published in the last
  ``coauthor_years`` years (default :data:`DEFAULT_COAUTHOR_YEARS`, counted
  back from ``as_of``, this year by default); works with more than
  ``max_authors`` authors do not count, as in the co-author graph;
- ``institution``: they share an institution now (any of
  :meth:`Store.current_institutions`: the author record's last known
  institutions, else those on the person's most recent work naming any);
- ``advisor``: an advisor-student pattern, at any time: on at least
  :data:`ADVISOR_MIN_WORKS` shared works one was first author and the other last
  author, published in the first :data:`ADVISOR_EARLY_YEARS` years of the
  first author's record in the store (their earliest year and the five after:
  the years of a PhD).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from labscout.committee.inputs import read_reviewers, read_submissions
from labscout.csvsafe import safe_row
from labscout.errors import ConfigError, InputError, NotFoundError
from labscout.graph.build import DEFAULT_MAX_AUTHORS
from labscout.people import normalize_author_id, resolve_person_id
from labscout.records import Rejected
from labscout.store import Store

DEFAULT_COAUTHOR_YEARS = 5
ADVISOR_MIN_WORKS = 2
ADVISOR_EARLY_YEARS = 6
REASONS = ("author", "coauthor", "institution", "advisor")


@dataclass(frozen=True, slots=True)
class Conflict:
    paper_id: str
    reviewer_id: str
    reason: str  # one of REASONS
    author_id: str  # the paper's author the conflict is with
    detail: str


@dataclass(frozen=True)
class ConflictReport:
    conflicts: tuple[Conflict, ...]
    n_papers: int
    n_reviewers: int
    as_of: int
    coauthor_years: int
    unknown_ids: tuple[str, ...] = ()  # ids not in the store: only the author rule applies
    rejected: tuple[Rejected, ...] = field(default=())

    def pairs(self) -> set[tuple[str, str]]:
        return {(c.paper_id, c.reviewer_id) for c in self.conflicts}

    def summary(self) -> str:
        by = {r: sum(1 for c in self.conflicts if c.reason == r) for r in REASONS}
        return (
            f"{len(self.pairs())} conflicted (paper, reviewer) pairs among {self.n_papers} papers "
            f"x {self.n_reviewers} reviewers (" + ", ".join(f"{r} {n}" for r, n in by.items()) + ")"
        )

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["paper_id", "reviewer_id", "reason", "author_id", "detail"])
        for c in self.conflicts:
            w.writerow(safe_row([c.paper_id, c.reviewer_id, c.reason, c.author_id, c.detail]))
        return buf.getvalue()

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_papers": self.n_papers,
            "n_reviewers": self.n_reviewers,
            "as_of": self.as_of,
            "coauthor_years": self.coauthor_years,
            "unknown_ids": list(self.unknown_ids),
            "rejected": [
                {"location": r.location, "line": r.line, "reason": r.reason} for r in self.rejected
            ],
            "conflicts": [
                {
                    "paper_id": c.paper_id,
                    "reviewer_id": c.reviewer_id,
                    "reason": c.reason,
                    "author_id": c.author_id,
                    "detail": c.detail,
                }
                for c in self.conflicts
            ],
        }


def _resolve(store: Store, raw: str, unknown: set[str]) -> str:
    """The person id of ``raw`` (any form :func:`labscout.people.resolve_person` reads);
    one not in the store is kept as given (only the author rule applies to it)."""
    try:
        return resolve_person_id(store, raw)
    except NotFoundError:
        unknown.add(raw)
        return normalize_author_id(raw) or raw.strip()


def find_conflicts(
    store: Store,
    submissions: Mapping[str, Sequence[str]],
    reviewers: Sequence[str],
    coauthor_years: int = DEFAULT_COAUTHOR_YEARS,
    as_of: int | None = None,
    max_authors: int = DEFAULT_MAX_AUTHORS,
    rejected: Sequence[Rejected] = (),
) -> ConflictReport:
    """Every conflict between ``reviewers`` (author ids) and ``submissions``
    (``{paper_id: [author ids]}``), each with its reason (see the module docs)."""
    if coauthor_years < 0:
        raise ConfigError(f"coauthor_years must be >= 0, not {coauthor_years}")
    as_of = as_of if as_of is not None else datetime.now(UTC).year
    unknown: set[str] = set()
    revs = list(dict.fromkeys(_resolve(store, r, unknown) for r in reviewers))
    sub = [(p, _resolve(store, a, unknown)) for p, authors in submissions.items() for a in authors]
    found = store.conflict_rows(
        revs,
        sub,
        since=as_of - coauthor_years,
        max_authors=max_authors,
        early_years=ADVISOR_EARLY_YEARS,
        min_works=ADVISOR_MIN_WORKS,
    )
    out: list[Conflict] = []
    rev_set = set(revs)
    for paper, aid in sub:
        if aid in rev_set:
            out.append(Conflict(paper, aid, "author", aid, "the reviewer is an author"))
    for paper, rid, aid, n, title, y in found.coauthor:
        more = f" and {n - 1} more" if n > 1 else ""
        out.append(Conflict(paper, rid, "coauthor", aid, f"co-authored '{title}' ({y}){more}"))
    for paper, rid, aid, _inst, name in found.institution:
        out.append(Conflict(paper, rid, "institution", aid, f"both at {name} now"))
    for paper, rid, aid, student, advisor, n, y0, y1 in found.advisor:
        out.append(
            Conflict(
                paper,
                rid,
                "advisor",
                aid,
                f"{student} first author and {advisor} last author on {n} works {y0}-{y1} "
                f"(advisor-student pattern)",
            )
        )
    order = {r: i for i, r in enumerate(REASONS)}
    out = sorted(set(out), key=lambda c: (c.paper_id, c.reviewer_id, order[c.reason], c.author_id))
    return ConflictReport(
        conflicts=tuple(out),
        n_papers=len(submissions),
        n_reviewers=len(revs),
        as_of=as_of,
        coauthor_years=coauthor_years,
        unknown_ids=tuple(sorted(unknown)),
        rejected=tuple(rejected),
    )


def conflicts_from_files(
    store: Store,
    submissions_path: str | Path,
    reviewers_path: str | Path,
    coauthor_years: int = DEFAULT_COAUTHOR_YEARS,
    as_of: int | None = None,
    max_authors: int = DEFAULT_MAX_AUTHORS,
) -> ConflictReport:
    """:func:`find_conflicts` on a submissions file and a reviewers file."""
    subs, bad_s = read_submissions(submissions_path)
    revs, bad_r = read_reviewers(reviewers_path)
    if not subs:
        raise InputError(f"no submissions read from {submissions_path}")
    if not revs:
        raise InputError(f"no reviewers read from {reviewers_path}")
    return find_conflicts(
        store, subs, revs, coauthor_years, as_of, max_authors, rejected=[*bad_s, *bad_r]
    )
