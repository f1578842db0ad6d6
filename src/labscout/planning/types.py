"""Result types of the plan: frozen, each figure with the works and rule behind it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from labscout.results import JsonResult

BANDS = ("reach", "match", "safer")


@dataclass(frozen=True)
class PlanParams:
    """Settings of the plan (docs/plan.md explains each)."""

    per_band: int = 4
    """Academic targets listed in each band (reach, match, safer)."""
    n_internships: int = 4
    """Company labs listed as internship targets."""
    researchers_per_target: int = 2
    """Researchers named under each target (the first is the one to write to)."""
    n_read_first: int = 3
    """Papers to read before writing to a target."""
    recent_years: int = 5
    """"Recent" works: the last this-many years up to the store's latest year."""
    max_tiers_above: int = 2
    """The reach band holds places one to this many tiers above yours (the stepping-stone
    rule of docs/ladder.md)."""
    path_max_length: int = 4
    """Co-author paths from people you know: at most this many steps."""
    n_reading: int = 12
    """Items of the reading list (those with a link)."""

    def __post_init__(self) -> None:
        for name in ("per_band", "researchers_per_target", "n_read_first", "recent_years",
                     "max_tiers_above", "path_max_length", "n_reading"):  # fmt: skip
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.n_internships < 0:
            raise ValueError("n_internships must be 0 or more")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LinkedWork:
    """A stored work with its link (DOI, arXiv, OpenAlex or its source's page)."""

    work_id: str
    title: str
    year: int | None
    venue: str | None
    url: str
    link_kind: str
    """What the link was built from: doi, arxiv, openalex, openreview, dblp, s2, site, or
    search (a title search, when the store knows no id to link) (:mod:`labscout.links`)."""
    doi: str | None
    authors: tuple[str, ...]
    reason: str
    """Why the work is listed, from the data."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TargetPerson:
    author_id: str
    name: str
    fit: float
    """Their fit for the topic (their ``find`` score)."""
    credit: float
    """The part of it credited to this place."""
    find_rank: int


@dataclass(frozen=True)
class Target:
    """One group to write to: a place on the topic's ladder and its researchers."""

    band: str
    """reach, match or safer (relative to your tier; docs/plan.md)."""
    kind: str
    """academic (any place but a company) or internship (a company lab)."""
    institution_id: str
    institution: str
    country_code: str | None
    type: str | None
    rank: int
    """Place on the topic's ladder (every credited place, before filters)."""
    tier: int
    strength: float
    field_tier: int
    """Tier of the place's weight in the field as a whole (all topics)."""
    researchers: tuple[TargetPerson, ...]
    """Best credited first: the first is the one to write to."""
    band_reason: str
    fit: str
    """The fit evidence in words: strength, tier, the lead's works on the topic."""
    evidence: tuple[dict[str, Any], ...]
    """The lead's works that credited this place (work id, title, year, position, credit)."""
    takes_students: dict[str, Any]
    """The lead's students signal: summary, recent count, newest students and works."""
    hosts_interns: dict[str, Any]
    """The intern-host signal (the company's for an internship target, else the lead's)."""
    activity: dict[str, Any]
    """The lead's recent activity: summary, works lately, latest work."""
    path: dict[str, Any] | None
    """The shortest co-author path from people you know to the lead (None: none found
    or no one given; ``path_note`` says which)."""
    path_note: str
    bridge: str | None
    """Reach band with --from: a work the lead wrote with someone at a place of your tier."""
    read_first: tuple[LinkedWork, ...]
    shared_topic: str
    """One sentence from a template over the data: shared query words and the closest work."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Band:
    name: str
    rule: str
    """Which tiers (and ranks) the band holds, in words."""
    targets: tuple[Target, ...]
    n_candidates: int
    """Places in the band before ``per_band`` cut the list (filters applied)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Plan(JsonResult):
    """The answer to ``labscout plan``: where to aim, who to write to, what to read."""

    query: dict[str, Any]
    start: dict[str, Any]
    """Where you are: the place (or None), its tier and rank, and the basis of the bands."""
    known: tuple[dict[str, Any], ...]
    """The people you know, as resolved (id, name, institution)."""
    bands: tuple[Band, ...]
    internships: tuple[Target, ...]
    internship_note: str
    reading: tuple[LinkedWork, ...]
    reading_note: str
    n_ranked: int
    """Places credited on the topic's ladder."""
    tiering: dict[str, Any]
    notes: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def targets(self) -> list[Target]:
        """Every target: the bands' in order, then the internships."""
        return [t for b in self.bands for t in b.targets] + list(self.internships)

    def bibtex(self) -> str:
        """The reading list and every target's papers to read first, as BibTeX."""
        from labscout.bibtex import to_bibtex

        return to_bibtex([*self.reading, *(w for t in self.targets() for w in t.read_first)])
