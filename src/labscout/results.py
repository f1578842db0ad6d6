"""Result types shared by the CLI (table, JSON, CSV), the web app and the Python API.

All frozen dataclasses; ``to_dict()`` gives plain JSON-ready values, and
:func:`to_json` is the one serialiser behind the CLI's ``--format json``, the
web's JSON routes and ``result.to_json()``: the same result gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

TIMING_KEYS = ("seconds",)
"""Top-level keys left out of the JSON: how long a call took differs between two calls
of the same query, and the JSON of one query is the same bytes wherever it is made.
The Python objects keep them (``result.seconds``)."""


def _plain(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_json(value: Any) -> str:
    """``value`` (a result with ``to_dict()``, a list of them, or plain data) as JSON:
    keys sorted, two-space indents, UTF-8 text as is, a final newline; the timing keys
    (:data:`TIMING_KEYS`) of the top level left out."""
    data = _plain(value)
    if isinstance(data, Mapping):
        data = {k: v for k, v in data.items() if k not in TIMING_KEYS}
    opts = orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
    return orjson.dumps(data, option=opts).decode() + "\n"


class JsonResult:
    """Mixin of the result types: ``to_json()`` through :func:`to_json`."""

    def to_json(self) -> str:
        return to_json(self)


@dataclass(frozen=True)
class WorkHit:
    """A work retrieved for a query, with the scores that put it there."""

    work_id: str
    title: str
    year: int | None
    venue: str | None
    score: float
    """Fused relevance to the query (mean over the query's texts)."""
    lexical_rank: int | None = None
    """Best rank in the BM25 list of any query text (1 = top), None when not in it."""
    dense_rank: int | None = None
    """Best rank in the embedding list of any query text, None when not in it."""
    doi: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Evidence:
    """One work that supports a researcher's rank, with the researcher's place on it."""

    work: WorkHit
    contribution: float
    """What this work added to the researcher's score (relevance x recency x authorship)."""
    position: str
    """The researcher's authorship position: first, middle or last."""
    position_index: int
    """0-based place in the author list."""
    n_authors: int
    is_corresponding: bool
    institutions: tuple[str, ...] = ()
    """The researcher's institutions on this paper (names), at the time of the paper."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ResearcherMatch:
    """A researcher ranked for a query, with the works that justify the rank."""

    rank: int
    author_id: str
    name: str
    score: float
    n_works: int
    """How many retrieved works carry this researcher."""
    orcid: str | None = None
    institution: str | None = None
    """Last known institution (the author record's, else the one on their latest paper)."""
    institution_id: str | None = None
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FindResult(JsonResult):
    """The answer to one ``find`` query."""

    query: dict[str, Any]
    """What was asked: text, the works used as the query, excluded authors, options."""
    matches: tuple[ResearcherMatch, ...]
    works: tuple[WorkHit, ...] = ()
    """The best retrieved works, best first."""
    excluded_authors: tuple[str, ...] = ()
    unmatched: tuple[str, ...] = ()
    """Query references (e.g. BibTeX entries) that matched no stored work."""
    params: dict[str, Any] = field(default_factory=dict)
    index: dict[str, Any] = field(default_factory=dict)
    """What the index was built with: embedder, number of works, fingerprint."""
    seconds: float = 0.0
    reach: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """With ``reach_from``: for each matched researcher, the best co-author paths
    (``CoauthorPath.to_dict()``) from the people the user knows; [] when none."""
    interns: dict[str, dict[str, Any]] = field(default_factory=dict)
    """With the ``hosts_interns`` filter: each listed researcher's intern-host signal
    (``InternHostSignal.to_dict()``: "hosted about N likely interns since YEAR")."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per researcher (for CSV): the best evidence work inline."""
        out = []
        for m in self.matches:
            best = m.evidence[0] if m.evidence else None
            out.append(
                {
                    "rank": m.rank,
                    "author_id": m.author_id,
                    "name": m.name,
                    "score": round(m.score, 6),
                    "n_works": m.n_works,
                    "orcid": m.orcid or "",
                    "institution": m.institution or "",
                    "top_work_id": best.work.work_id if best else "",
                    "top_work_title": best.work.title if best else "",
                    "top_work_year": best.work.year if best and best.work.year else "",
                    "top_work_position": best.position if best else "",
                    "evidence_work_ids": " ".join(e.work.work_id for e in m.evidence),
                }
            )
        return out
