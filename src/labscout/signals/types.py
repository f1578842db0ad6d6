"""Result types of the researcher signals: every figure with the works behind it.

All frozen dataclasses; ``to_dict()`` gives plain JSON-ready values (year
tables are lists of ``[year, count]`` pairs so that JSON keeps them in order).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from labscout.results import JsonResult
from labscout.signals.interns import InternHostSignal


@dataclass(frozen=True)
class SignalParams:
    """The windows and limits behind the signals (docs/ladder.md explains each)."""

    reference_year: int | None = None
    """The year "lately" ends in; None means the current year."""
    recent_years: int = 5
    """"Lately" is the last this-many years up to the reference year."""
    early_years: int = 3
    """A first author counts as a student when their first work with the researcher
    falls in their first this-many years of publishing (first year included)."""
    n_coauthors: int = 10
    """Top co-authors listed."""
    period_years: int = 3
    """Topics over time are grouped in periods of this many years."""
    topics_per_period: int = 3
    """Topics listed per period."""
    min_concept_score: float = 0.3
    """OpenAlex concepts below this score are left out of topics over time."""


@dataclass(frozen=True)
class WorkRef:
    """A stored work, with the researcher's authorship position on it."""

    work_id: str
    title: str
    year: int | None
    position: str | None = None
    n_authors: int | None = None
    venue: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Activity:
    """Recent activity: how many works a year, and the latest one."""

    n_works: int
    """Works of the researcher in the store."""
    first_year: int | None
    window: tuple[int, int]
    """First and last year of "lately"."""
    n_recent: int
    """Works in the window."""
    works_per_year: float
    """``n_recent`` divided by the window's length."""
    per_year: tuple[tuple[int, int], ...]
    """Works in each year of the window, oldest first."""
    last_work: WorkRef | None
    summary: str


@dataclass(frozen=True)
class Seniority:
    """Senior position: the share of last-author works among the multi-author works lately."""

    window: tuple[int, int]
    n_multi_author: int
    """Works with two or more authors in the window."""
    n_last: int
    n_first: int
    n_middle: int
    share_last: float | None
    """``n_last / n_multi_author`` (None when there is no such work)."""
    last_author_works: tuple[WorkRef, ...]
    summary: str


@dataclass(frozen=True)
class Student:
    """A first author who started publishing with this researcher."""

    author_id: str
    name: str
    first_year: int
    """Their first work in the store."""
    first_joint_work: WorkRef
    """Their first work with the researcher (they are its first author)."""


@dataclass(frozen=True)
class Students:
    """Students: first authors whose first work with the researcher came in their
    first ``early_years`` years of publishing, while the researcher was not first
    author and had started publishing before them."""

    early_years: int
    recent_from: int
    students: tuple[Student, ...]
    """Newest first."""
    n_recent: int
    """Students whose first joint work is from ``recent_from`` on."""
    summary: str


@dataclass(frozen=True)
class Growth:
    """Group growth: co-authors who appear for the first time, per year."""

    window: tuple[int, int]
    per_year: tuple[tuple[int, int], ...]
    """New co-authors in each year of the window."""
    n_recent: int
    """New co-authors in the window."""
    n_before: int
    """New co-authors in the window of the same length just before it."""
    summary: str


@dataclass(frozen=True)
class InstitutionSignal:
    """Where the researcher is, and what kind of place it is."""

    institution_id: str | None
    name: str | None
    type: str | None
    country_code: str | None
    basis: str
    """"author record" (OpenAlex's last known institution), "latest work", or "unknown"."""
    work: WorkRef | None
    """The work the institution was read from, when it comes from a work."""
    summary: str


@dataclass(frozen=True)
class TopicPeriod:
    """The researcher's main topics in a span of years."""

    start: int
    end: int
    n_works: int
    topics: tuple[tuple[str, float], ...]
    """(topic, weight): the weight sums the topic's scores over the period's works."""


@dataclass(frozen=True)
class Coauthor:
    author_id: str
    name: str
    n_works: int
    """Works shared with the researcher."""
    last_year: int | None
    institution: str | None
    """Their institution on the latest shared work."""


@dataclass(frozen=True)
class ResearcherProfile(JsonResult):
    """The answer of ``labscout researcher``: signals, topics over time, co-authors."""

    author_id: str
    author_ids: tuple[str, ...]
    """Every id of this person (identity links across sources)."""
    name: str
    orcid: str | None
    reference_year: int
    activity: Activity
    seniority: Seniority
    students: Students
    growth: Growth
    institution: InstitutionSignal
    topics_basis: str
    """What topics over time are read from: "topics", "concepts", "venues" or "none"."""
    topics_over_time: tuple[TopicPeriod, ...]
    top_coauthors: tuple[Coauthor, ...]
    interns: InternHostSignal | None = None
    """Hosts interns: at a company, with early-career first authors from a university
    who are back there later (:mod:`labscout.signals.interns`)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
