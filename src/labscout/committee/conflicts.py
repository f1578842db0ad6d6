"""Conflicts of interest between reviewers and submissions, read from the store.

A (reviewer, paper) pair is flagged, once per reason and paper author, when:

- ``author``: the reviewer is an author of the paper;
- ``coauthor``: the reviewer and an author share a work published in the last
  ``coauthor_years`` years (default :data:`DEFAULT_COAUTHOR_YEARS`, counted
  back from ``as_of``, this year by default); works with more than
  ``max_authors`` authors do not count, as in the co-author graph;
- ``institution``: they share an institution now: the author record's last
  known institutions, else the institutions on the person's most recent works;
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
from labscout.errors import ConfigError, InputError, NotFoundError
from labscout.graph.build import DEFAULT_MAX_AUTHORS
from labscout.graph.people import person_authorships
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
            w.writerow([c.paper_id, c.reviewer_id, c.reason, c.author_id, c.detail])
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


_COAUTHOR = """
WITH rw AS (
    SELECT DISTINCT a.author_id AS rid, a.work_id FROM authorships a
    JOIN _c_rev r ON r.rid = a.author_id
),
aw AS (
    SELECT DISTINCT s.paper_id, s.aid, a.work_id FROM authorships a
    JOIN _c_sub s ON s.aid = a.author_id
),
sizes AS (
    SELECT work_id, count(DISTINCT author_id) AS n FROM authorships
    WHERE work_id IN (SELECT work_id FROM rw) GROUP BY work_id
)
SELECT aw.paper_id, rw.rid, aw.aid, count(*) AS n,
       arg_max(w.title, w.publication_year) AS title, max(w.publication_year) AS y
FROM rw JOIN aw ON aw.work_id = rw.work_id AND aw.aid <> rw.rid
JOIN works w ON w.id = rw.work_id JOIN sizes z ON z.work_id = rw.work_id
WHERE w.publication_year >= $since AND z.n <= $cap
GROUP BY 1, 2, 3
"""

_INSTITUTION = """
WITH people AS (SELECT rid AS id FROM _c_rev UNION SELECT aid FROM _c_sub),
lk AS (
    SELECT a.id, unnest(a.last_known_institution_ids) AS inst FROM authors a
    JOIN people p ON p.id = a.id WHERE len(coalesce(a.last_known_institution_ids, [])) > 0
),
yrs AS (
    SELECT s.author_id AS id, s.institution_ids, coalesce(w.publication_year, 0) AS y
    FROM authorships s JOIN people p ON p.id = s.author_id
    LEFT JOIN works w ON w.id = s.work_id
    WHERE len(coalesce(s.institution_ids, [])) > 0 AND s.author_id NOT IN (SELECT id FROM lk)
),
latest AS (
    SELECT y.id, unnest(y.institution_ids) AS inst FROM yrs y
    JOIN (SELECT id, max(y) AS y FROM yrs GROUP BY id) m ON m.id = y.id AND m.y = y.y
),
cur AS (SELECT id, inst FROM lk UNION SELECT id, inst FROM latest)
SELECT DISTINCT s.paper_id, r.rid, s.aid, c1.inst, coalesce(i.display_name, c1.inst)
FROM _c_sub s JOIN cur c1 ON c1.id = s.aid
JOIN cur c2 ON c2.inst = c1.inst JOIN _c_rev r ON r.rid = c2.id
LEFT JOIN institutions i ON i.id = c1.inst
WHERE r.rid <> s.aid
"""

_ADVISOR = """
WITH people AS (SELECT rid AS id FROM _c_rev UNION SELECT aid FROM _c_sub),
fy AS (
    SELECT s.author_id AS id, min(w.publication_year) AS fy FROM authorships s
    JOIN people p ON p.id = s.author_id JOIN works w ON w.id = s.work_id GROUP BY 1
),
fl AS (
    SELECT f.author_id AS student, l.author_id AS advisor, w.publication_year AS y
    FROM authorships f
    JOIN authorships l ON l.work_id = f.work_id AND l.author_position = 'last'
         AND l.author_id <> f.author_id
    JOIN works w ON w.id = f.work_id JOIN fy ON fy.id = f.author_id
    WHERE f.author_position = 'first' AND f.author_id IN (SELECT id FROM people)
      AND l.author_id IN (SELECT id FROM people) AND w.publication_year < fy.fy + $early
),
adv AS (
    SELECT student, advisor, count(*) AS n,
           min(y) AS y0, max(y) AS y1
    FROM fl GROUP BY 1, 2 HAVING count(*) >= $min_works
)
SELECT DISTINCT s.paper_id, r.rid, s.aid, adv.student, adv.advisor, adv.n, adv.y0, adv.y1
FROM adv JOIN _c_sub s ON s.aid IN (adv.student, adv.advisor)
JOIN _c_rev r ON r.rid IN (adv.student, adv.advisor) AND r.rid <> s.aid
"""


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
    con = store.con
    ships = f" {person_authorships(store)} "  # one node per person across sources

    def sql(template: str) -> str:
        return template.replace(" authorships ", ships)

    con.execute(
        "CREATE OR REPLACE TEMP TABLE _c_rev AS SELECT unnest($r::VARCHAR[]) AS rid", {"r": revs}
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _c_sub AS "
        "SELECT unnest($p::VARCHAR[]) AS paper_id, unnest($a::VARCHAR[]) AS aid",
        {"p": [p for p, _ in sub], "a": [a for _, a in sub]},
    )
    out: list[Conflict] = []
    rev_set = set(revs)
    for paper, aid in sub:
        if aid in rev_set:
            out.append(Conflict(paper, aid, "author", aid, "the reviewer is an author"))
    for paper, rid, aid, n, title, y in con.execute(
        sql(_COAUTHOR), {"since": as_of - coauthor_years, "cap": max_authors}
    ).fetchall():
        more = f" and {n - 1} more" if n > 1 else ""
        out.append(Conflict(paper, rid, "coauthor", aid, f"co-authored '{title}' ({y}){more}"))
    for paper, rid, aid, _inst, name in con.execute(sql(_INSTITUTION)).fetchall():
        out.append(Conflict(paper, rid, "institution", aid, f"both at {name} now"))
    for paper, rid, aid, student, advisor, n, y0, y1 in con.execute(
        sql(_ADVISOR), {"early": ADVISOR_EARLY_YEARS, "min_works": ADVISOR_MIN_WORKS}
    ).fetchall():
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
    con.execute("DROP TABLE IF EXISTS _c_rev")
    con.execute("DROP TABLE IF EXISTS _c_sub")
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
