"""Result types of the co-author graph, shared by the CLI, JSON output and the web app."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A researcher named in an answer: id, name and institution now (when known)."""

    id: str
    display_name: str | None = None
    institution: str | None = None


@dataclass(frozen=True, slots=True)
class SharedWork:
    """A work two researchers wrote together: one piece of evidence for an edge."""

    id: str
    title: str | None
    year: int | None


@dataclass(frozen=True, slots=True)
class PathEdge:
    """One step of a path: two co-authors and the works that make the link.

    ``strength`` is the sum over shared works of ``0.5 ** (age / half_life)``:
    more and more recent joint works make a stronger link.
    """

    source: PersonRef
    target: PersonRef
    n_works: int
    strength: float
    last_year: int | None
    works: tuple[SharedWork, ...]


@dataclass(frozen=True, slots=True)
class CoauthorPath:
    """A chain of co-authors from someone the user knows to the target.

    Paths are ranked by number of steps (``hops``) first, then by ``cost``,
    the sum over edges of ``1 / (1 + strength)``: lower is a stronger chain.
    """

    people: tuple[PersonRef, ...]
    edges: tuple[PathEdge, ...]
    cost: float

    @property
    def hops(self) -> int:
        return len(self.edges)

    @property
    def source(self) -> PersonRef:
        return self.people[0]

    @property
    def target(self) -> PersonRef:
        return self.people[-1]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["hops"] = self.hops
        return d
