"""How abstract a set of works is: a transparent score, with the venues and words behind it.

Per work (title and abstract): ``venue_weight`` if its venue is a theory or
method venue (COLT, ALT, UAI, AISTATS, JMLR), plus the number of distinct
theory words in it (theorem, proof, regret, sample complexity, ...; at most
``term_cap``) divided by ``term_cap``, minus the same for application-domain
words (clinical, traffic, e-commerce, ...). A set's score is the mean over its
works. Every list is a field of :class:`AbstractParams`, so a caller can change it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

from labscout.index.build import work_text
from labscout.records import Work

THEORY_VENUES = (
    "colt",
    "alt",
    "uai",
    "aistats",
    "jmlr",
    "conference on learning theory",
    "algorithmic learning theory",
    "uncertainty in artificial intelligence",
    "artificial intelligence and statistics",
    "journal of machine learning research",
)
THEORY_TERMS = (
    "theorem",
    "lemma",
    "proof",
    "prove",
    "provably",
    "upper bound",
    "lower bound",
    "bound",
    "regret",
    "sample complexity",
    "convergence rate",
    "minimax",
    "pac",
    "vc dimension",
    "rademacher",
    "guarantee",
    "identifiability",
    "np-hard",
    "polynomial time",
    "asymptotic",
    "convex",
    "equation",
    "theoretical",
    "theory",
)
APPLICATION_TERMS = (
    "medical",
    "clinical",
    "patient",
    "healthcare",
    "hospital",
    "disease",
    "diagnosis",
    "cancer",
    "drug",
    "molecule",
    "protein",
    "biomedical",
    "radiology",
    "mri",
    "traffic",
    "financial",
    "stock",
    "legal",
    "e-commerce",
    "customer",
    "agriculture",
    "crop",
    "satellite",
    "remote sensing",
    "weather",
    "climate",
    "autonomous driving",
    "vehicle",
    "surgical",
    "social media",
    "news",
    "industrial",
    "manufacturing",
)


@dataclass(frozen=True)
class AbstractParams:
    """The rule of the abstract score (docs/ladder.md, "Topics near mine")."""

    venue_weight: float = 1.0
    """What a theory/method venue adds to a work's abstract score."""
    term_cap: int = 3
    """Theory (application) terms count up to this many distinct ones per work."""
    theory_venues: tuple[str, ...] = THEORY_VENUES
    """Venue names (lower case) counted as theory/method venues: an exact short name
    (COLT) or a part of a long one."""
    theory_terms: tuple[str, ...] = THEORY_TERMS
    """Words and phrases of theory and method wording (whole words, plural allowed)."""
    application_terms: tuple[str, ...] = APPLICATION_TERMS
    """Words and phrases of application domains."""

    @cached_property
    def _theory_re(self) -> re.Pattern[str]:
        return _terms_re(self.theory_terms)

    @cached_property
    def _application_re(self) -> re.Pattern[str]:
        return _terms_re(self.application_terms)


def _terms_re(terms: Sequence[str]) -> re.Pattern[str]:
    alts = sorted((re.escape(t) for t in terms), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(alts) + r")(?:s|es)?\b", re.I)


@dataclass(frozen=True)
class AbstractScore:
    """How abstract a set of works is, with what drove the figure."""

    score: float
    """Mean over the works of: venue_weight x [theory/method venue] + (distinct theory
    terms, capped) / cap - (distinct application terms, capped) / cap; in [-1, 1 + venue_weight]."""
    n_works: int
    theory_venue_share: float
    """Share of the works in a theory/method venue."""
    theory_venues: tuple[tuple[str, int], ...]
    """(venue, works), most first."""
    theory_terms: tuple[tuple[str, int], ...]
    """(term, works using it), most first."""
    application_terms: tuple[tuple[str, int], ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def is_theory_venue(venue: str | None, params: AbstractParams) -> bool:
    v = (venue or "").strip().lower()
    if not v:
        return False
    return any(v == t or (len(t) > 8 and t in v) for t in params.theory_venues)


def work_terms(work: Work, params: AbstractParams) -> tuple[set[str], set[str]]:
    """The distinct theory terms and application terms in a work's title and abstract."""
    text = work_text(work.title, work.abstract)
    theory = {m.group(1).lower() for m in params._theory_re.finditer(text)}
    appl = {m.group(1).lower() for m in params._application_re.finditer(text)}
    return theory, appl


def abstract_score(works: Sequence[Work], params: AbstractParams, n_top: int = 5) -> AbstractScore:
    """The abstract score of ``works`` (see :class:`AbstractScore`), with its drivers."""
    venues: Counter[str] = Counter()
    theory_c: Counter[str] = Counter()
    appl_c: Counter[str] = Counter()
    total = 0.0
    cap = max(params.term_cap, 1)
    for w in works:
        theory, appl = work_terms(w, params)
        theory_c.update(theory)
        appl_c.update(appl)
        s = min(len(theory), cap) / cap - min(len(appl), cap) / cap
        if is_theory_venue(w.venue, params):
            venues[w.venue or ""] += 1
            s += params.venue_weight
        total += s
    n = len(works)

    def top(c: Counter[str]) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:n_top])

    return AbstractScore(
        score=round(total / n, 4) if n else 0.0,
        n_works=n,
        theory_venue_share=round(sum(venues.values()) / n, 4) if n else 0.0,
        theory_venues=top(venues),
        theory_terms=top(theory_c),
        application_terms=top(appl_c),
    )


# -- clustering and naming ------------------------------------------------------------
