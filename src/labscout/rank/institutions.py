"""The ladder: institutions and industry labs ranked for a topic, in tiers.

``ladder`` runs ``find`` (the same query forms: text, works one likes, one's
own works) over every matched researcher, then credits each researcher's fit
to the institutions on their papers at the time of each paper:

- a researcher's fit is their ``find`` score: the sum over their best works
  of ``relevance x recency x authorship credit``, the i-th best counting
  ``work_decay**i`` (docs/scoring.md);
- each of those works gives its share of the fit to the institutions the
  researcher named on it (split evenly when they named several; a work
  without an institution credits nobody);
- an institution's topic strength is the sum of what its researchers' works
  gave it.

Tiers come from the topic-strength distribution (:mod:`labscout.rank.tiers`);
prestige for the field as a whole from the store's recent works and citations.
Stepping stones and hidden gems are in :mod:`labscout.rank.stepping`.
docs/ladder.md explains every figure in plain words.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from labscout.filters import Filters
from labscout.progress import Progress
from labscout.query import Query
from labscout.rank.tiers import TIER_METHODS, FieldPrestige, Prestige, Tiering, assign_tiers
from labscout.results import JsonResult, ResearcherMatch
from labscout.store import Store


@dataclass(frozen=True)
class LadderParams:
    """Settings of the ladder (docs/ladder.md)."""

    n_tiers: int = 4
    """How many tiers, for topic strength and for field prestige."""
    tier_method: str = "jenks"
    """"jenks" (natural breaks of log values, needs jenkspy) or "quantiles"."""
    prestige_years: int = 10
    """Field prestige counts the store's last this-many years."""
    depth: int = 1000
    """Works retrieved per query text (``find`` uses 200; a ladder wants the whole topic)."""
    work_power: float | None = 1.0
    """The ladder's ``lexical_power`` and ``dense_power`` for ``power`` fusion (None keeps
    ``find``'s 4 and 8). A ladder adds up many researchers' works, so it weighs them
    linearly: against the ML-venue affiliations for three topics, powers of 1 agree best
    (docs/benchmarks.md, "Expert finding: new defaults (issue 18)")."""
    n_evidence: int = 20
    """Works kept per researcher (those beyond ``max_works`` only count as papers on the
    topic in hidden-gem reasons, never towards fit)."""
    researchers_per_institution: int = 5
    """Researchers listed under each institution, best first."""
    recent_years: int = 5
    """"Since" in hidden-gem reasons: the last this-many years up to the reference year."""
    gem_top: int = 50
    """Only the best this-many researchers by fit can be hidden gems."""
    gem_min_tier: int = 3
    """A hidden gem's institution is in this field-prestige tier or a lower one."""
    gem_min_works: int = 2
    """A hidden gem has at least this many papers on the topic since the recent window."""
    n_gems: int = 10
    n_stones: int = 10

    def __post_init__(self) -> None:
        if self.tier_method not in TIER_METHODS:
            raise ValueError(f"tier_method must be one of {TIER_METHODS}")
        if self.n_tiers < 2:
            raise ValueError("n_tiers must be at least 2")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class EvidenceWork:
    """One work of a researcher that credited an institution."""

    work_id: str
    title: str
    year: int | None
    position: str
    credit: float
    """What the work gave this institution (its part of the researcher's fit)."""


@dataclass(frozen=True)
class InstitutionResearcher:
    author_id: str
    name: str
    fit: float
    """The researcher's whole fit for the topic (their ``find`` score)."""
    credit: float
    """The part of it credited to this institution."""
    find_rank: int
    works: tuple[EvidenceWork, ...]
    """Their works that credited this institution, largest credit first."""


@dataclass(frozen=True)
class InstitutionRank:
    rank: int
    institution_id: str
    name: str
    country_code: str | None
    type: str | None
    score: float
    """Topic strength: the sum of the credits of its researchers' works."""
    tier: int
    """Tier of the topic strength (1 = top)."""
    n_researchers: int
    researchers: tuple[InstitutionResearcher, ...]
    prestige: Prestige
    """Weight in the field as a whole (all topics), with its own tier."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class HiddenGem:
    author_id: str
    name: str
    fit: float
    find_rank: int
    institution_id: str
    institution: str
    field_tier: int
    n_recent: int
    """Papers on the topic since ``since``."""
    n_recent_last: int
    """Of those, how many as last author."""
    since: int
    reason: str


@dataclass(frozen=True)
class GemGroup:
    """A place strong on the topic (top half of its tiers) but of low field prestige."""

    institution_id: str
    institution: str
    rank: int
    tier: int
    field_tier: int
    score: float
    reason: str


@dataclass(frozen=True)
class SteppingStone:
    institution_id: str
    institution: str
    tier: int
    score: float
    researcher_id: str
    researcher: str
    coauthor_id: str
    coauthor: str
    coauthor_institution: str
    work_id: str
    work_title: str
    work_year: int | None
    reason: str


@dataclass(frozen=True)
class LadderResult(JsonResult):
    query: dict[str, Any]
    institutions: tuple[InstitutionRank, ...]
    tiering: Tiering
    """How the topic-strength tiers were cut (over every credited institution)."""
    field_window: tuple[int, int]
    field_tiering: Tiering
    n_researchers: int
    """Researchers whose fit was credited (after --active-since)."""
    uncredited: float
    """Fit on works without any institution (credited to nobody)."""
    hidden_gems: tuple[HiddenGem, ...] = ()
    hidden_gem_groups: tuple[GemGroup, ...] = ()
    """Places strong on the topic whose field prestige is low (filters applied)."""
    from_institution: dict[str, Any] | None = None
    """With ``--from``: the place, its tier, and how the tier was found."""
    stepping_stones: tuple[SteppingStone, ...] = ()
    filters: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    interns: dict[str, dict[str, Any]] = field(default_factory=dict)
    """With ``--type company``: each listed company's intern-host signal by institution id
    (``CompanyInternSignal.to_dict()``: "hosted about N likely interns since YEAR");
    companies with none are left out."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def company_interns(
    store: Store, listed: Sequence[InstitutionRank], filters: Filters
) -> dict[str, dict[str, Any]]:
    """The intern-host signal of each listed company, when the filters ask for companies."""
    ids = [r.institution_id for r in listed if r.type == "company"]
    if "company" not in filters.types or not ids:
        return {}
    from labscout.signals.interns import company_intern_signals

    return {s.institution_id: s.to_dict() for s in company_intern_signals(store, company_ids=ids)}


def _work_institutions(
    store: Store, work_ids: Sequence[str]
) -> dict[tuple[str, str], tuple[str, ...]]:
    """(work id, person id) -> the institutions that person named on that work."""
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for wid, pid, insts in store.person_institutions_on(work_ids):
        key = (wid, pid)
        out[key] = tuple(dict.fromkeys((*out.get(key, ()), *insts)))
    return out


def credit_institutions(
    store: Store,
    matches: Sequence[ResearcherMatch],
    max_works: int,
    work_decay: float,
) -> tuple[dict[str, dict[str, list[EvidenceWork]]], float]:
    """Institution id -> researcher id -> the works that credited it; and the fit
    that went to nobody (works without an institution).

    A researcher's i-th evidence work (largest contribution first, i from 0)
    credits ``contribution x work_decay**i`` for i < ``max_works``, split evenly
    over the institutions they named on it: the credits of a researcher add
    up to their ``find`` score.
    """
    wids = sorted({e.work.work_id for m in matches for e in m.evidence})
    insts = _work_institutions(store, wids)
    out: dict[str, dict[str, list[EvidenceWork]]] = defaultdict(lambda: defaultdict(list))
    lost = 0.0
    for m in matches:
        for i, e in enumerate(m.evidence[:max_works]):
            credit = e.contribution * work_decay**i
            where = insts.get((e.work.work_id, m.author_id), ())
            if not where:
                lost += credit
                continue
            share = credit / len(where)
            for iid in where:
                out[iid][m.author_id].append(
                    EvidenceWork(e.work.work_id, e.work.title, e.work.year, e.position, share)
                )
    return out, lost


def _institution_rows(store: Store, ids: Sequence[str]) -> dict[str, tuple]:
    """Id -> (id, name, country code, type) of the stored institutions among ``ids``."""
    return {
        i: (x.id, x.display_name, x.country_code, x.type)
        for i, x in store.institution_info(ids).items()
    }


def rank_institutions(
    store: Store,
    matches: Sequence[ResearcherMatch],
    field: FieldPrestige,
    max_works: int,
    work_decay: float,
    params: LadderParams | None = None,
    filters: Filters | None = None,
) -> tuple[list[InstitutionRank], Tiering, dict[str, int], float]:
    """Institutions ranked by topic strength from researcher ``matches`` (best first).

    Tiers are cut over every credited institution, then ``filters`` (country,
    region, type) pick the institutions listed, so a tier means the same with or
    without a filter. Returns the ranks, the tiering, the tier of every credited
    institution (filtered out or not) and the uncredited fit.
    """
    params = params or LadderParams()
    filters = filters or Filters()
    credits, lost = credit_institutions(store, matches, max_works, work_decay)
    strength = {
        iid: sum(w.credit for works in by_r.values() for w in works)
        for iid, by_r in credits.items()
    }
    tiers, tiering = assign_tiers(strength, params.n_tiers, params.tier_method)
    keep = filters.institutions_ok(store, strength)
    rows = _institution_rows(store, sorted(keep))
    by_id = {m.author_id: m for m in matches}
    order = sorted(keep, key=lambda i: (-strength[i], i))
    out = [
        _entry(rank, iid, credits[iid], strength[iid], tiers[iid], rows, by_id, field, params)
        for rank, iid in enumerate(order, start=1)
    ]
    return out, tiering, tiers, lost


def _entry(
    rank: int,
    iid: str,
    credits: Mapping[str, list[EvidenceWork]],
    strength: float,
    tier: int,
    rows: Mapping[str, tuple],
    by_id: Mapping[str, ResearcherMatch],
    field: FieldPrestige,
    params: LadderParams,
) -> InstitutionRank:
    """One institution's line: its researchers (largest credit first) and figures."""
    people = []
    for aid, works in credits.items():
        m = by_id[aid]
        works = sorted(works, key=lambda w: (-w.credit, w.work_id))
        people.append(
            InstitutionResearcher(
                author_id=aid,
                name=m.name,
                fit=m.score,
                credit=round(sum(w.credit for w in works), 6),
                find_rank=m.rank,
                works=tuple(works),
            )
        )
    people.sort(key=lambda p: (-p.credit, p.author_id))
    row = rows.get(iid, (iid, iid, None, None))
    return InstitutionRank(
        rank=rank,
        institution_id=iid,
        name=row[1] or iid,
        country_code=row[2],
        type=row[3],
        score=round(strength, 6),
        tier=tier,
        n_researchers=len(people),
        researchers=tuple(people[: params.researchers_per_institution]),
        prestige=field.of(iid),
    )


def rank_one_institution(
    store: Store,
    matches: Sequence[ResearcherMatch],
    institution_id: str,
    field: FieldPrestige,
    max_works: int,
    work_decay: float,
    params: LadderParams | None = None,
) -> tuple[InstitutionRank | None, int]:
    """One institution's place on the ladder of ``matches`` (None when no researcher's
    work credits it), and how many institutions are credited at all: the ranks and tiers
    of :func:`rank_institutions` without building every other line (no filters)."""
    params = params or LadderParams()
    credits, _ = credit_institutions(store, matches, max_works, work_decay)
    strength = {
        iid: sum(w.credit for works in by_r.values() for w in works)
        for iid, by_r in credits.items()
    }
    if institution_id not in strength:
        return None, len(strength)
    tiers, _ = assign_tiers(strength, params.n_tiers, params.tier_method)
    mine = (-strength[institution_id], institution_id)
    rank = 1 + sum(1 for iid, v in strength.items() if (-v, iid) < mine)
    rows = _institution_rows(store, [institution_id])
    by_id = {m.author_id: m for m in matches}
    entry = _entry(rank, institution_id, credits[institution_id], strength[institution_id],
                   tiers[institution_id], rows, by_id, field, params)  # fmt: skip
    return entry, len(strength)


def ladder_matches(
    store: Store,
    query: Query,
    params: LadderParams,
    rank_params: Any = None,
    index: Any = None,
    index_path: str | os.PathLike[str] | None = None,
    reindex: bool = False,
    progress: Progress | None = None,
) -> tuple[Any, Any]:
    """Every researcher ``find`` matches for the query, retrieved as deep as a ladder
    needs (``params.depth``), with ``active_since`` applied; and the rank parameters used."""
    from labscout.rank.find import find
    from labscout.rank.params import RankParams

    rp = rank_params or RankParams()
    rp = rp.with_(
        depth=max(rp.depth, params.depth),
        n_evidence=max(params.n_evidence, rp.max_works),
        profile_weight=0.0,  # fit is the works score: it is what institutions are credited
        body_weight=0.0,  # (and no body-of-work term: it credits no institution either)
    )
    if params.work_power is not None:
        rp = rp.with_(lexical_power=params.work_power, dense_power=params.work_power)
    found = find(
        store,
        query.with_(top=1_000_000, filters=Filters(), reach_from=()),
        params=rp,
        index=index,
        index_path=index_path,
        reindex=reindex,
        progress=progress,
    )
    return found, rp
