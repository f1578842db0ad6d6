"""Who hosts interns: a company researcher's early-career co-authors from universities.

The rule (docs/ladder.md, "Who hosts interns"), on one paper:

1. the **host** names a company institution on the paper (institution type
   ``company`` at the time of the paper), and no education institution when
   ``host_company_only``; they have at least ``host_min_prior_works`` works in
   the store before that year (a peer intern is not a host), and name a
   company on at least ``host_min_company_share`` of their works within a year
   of the paper (a professor with an occasional industry line is not a host);
2. the **intern** names an education institution on the same paper; they are
   its first author (``first_author_only``) and early-career: at most
   ``max_prior_works`` works in the store published before that year;
3. the paper has at most ``max_authors`` authors (a 40-author report says
   nothing about who mentored whom), and its authors are not in alphabetical
   order of last names (``skip_alphabetical_from``: there, first says nothing);
4. the intern is **back at a university** afterwards: a work published 1 to
   ``return_within_years`` years later on which they name an education
   institution (``require_return``).

A pair meeting 1-3 whose intern has no later work in the store is counted
apart, as unconfirmed. The functions here are pure (rows in, results out);
:func:`intern_host_signal`, :func:`company_intern_signal` and
:func:`intern_hosts` read the store through :mod:`labscout.store.intern_reads`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, TypeVar

from labscout import people as P
from labscout.results import JsonResult
from labscout.store import intern_reads as R
from labscout.store.intern_reads import CoauthorRow, TimelineWork
from labscout.store.store import Store


@dataclass(frozen=True)
class InternParams:
    """The thresholds of the intern rule (docs/ladder.md explains each)."""

    max_prior_works: int = 3
    """The intern is early-career: at most this many works in the store published
    before the year of the joint paper."""
    first_author_only: bool = True
    """The intern is the paper's first author (the usual internship paper)."""
    host_company_only: bool = True
    """The host names no education institution on the paper: a professor with a
    second, industry affiliation is not counted as a host."""
    host_min_prior_works: int = 3
    """The host has at least this many works in the store before the paper's year
    (a fellow intern who lists only the company is not a host)."""
    max_authors: int = 10
    """Papers with more authors are left out."""
    skip_alphabetical_from: int = 2
    """Papers with at least this many authors, listed in alphabetical order of last
    names, are left out: theory venues list authors alphabetically, so being first
    says nothing there (0 keeps them)."""
    host_min_company_share: float = 0.5
    """Of the host's works within a year of the paper (naming a company or a
    university), at least this share name a company: a professor who names the
    company on some papers is not counted as a host."""
    require_return: bool = True
    """The intern must be back at an education institution on a later work."""
    return_within_years: int = 3
    """"Later" means 1 to this many years after the joint paper."""
    since: int | None = None
    """Only joint papers from this year on (None: every year)."""
    max_listed: int = 20
    """Interns listed as evidence per host or company (all are counted)."""


@dataclass(frozen=True)
class InternWork:
    """A stored work named as evidence."""

    work_id: str
    title: str
    year: int | None
    venue: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class HostedIntern:
    """One likely intern: the joint paper, and the later work back at a university."""

    intern_id: str
    name: str
    university: str
    """The education institution(s) the intern named on the joint paper."""
    prior_works: int
    """The intern's works in the store before the joint paper's year."""
    work: InternWork
    """The joint paper (the intern is its first author)."""
    host_id: str
    host_name: str
    company_ids: tuple[str, ...]
    company: str
    """The company institution(s) the host named on the joint paper."""
    later_work: InternWork | None
    """The later work back at a university (None for an unconfirmed pair)."""
    back_at: str | None
    """The education institution(s) named on ``later_work``."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class InternHostSignal(JsonResult):
    """The intern-host signal of one company researcher: "hosted about N likely interns"."""

    host_id: str
    name: str
    n_interns: int
    """Distinct likely interns."""
    since: int | None
    """Year of the earliest joint paper with a likely intern."""
    interns: tuple[HostedIntern, ...]
    """Newest first, at most ``max_listed``; one entry per intern (their first joint paper)."""
    n_unconfirmed: int
    """Early-career first authors from a university with no later work in the store."""
    companies: tuple[str, ...]
    """The companies the host named on those papers."""
    summary: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CompanyHost:
    host_id: str
    name: str
    n_interns: int


@dataclass(frozen=True)
class CompanyInternSignal(JsonResult):
    """The intern-host signal of one company institution: "hosted about N likely interns"."""

    institution_id: str
    name: str
    n_interns: int
    since: int | None
    n_hosts: int
    hosts: tuple[CompanyHost, ...]
    """Hosts by interns, most first."""
    interns: tuple[HostedIntern, ...]
    """Newest first, at most ``max_listed``."""
    n_unconfirmed: int
    summary: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- the rule, pure -----------------------------------------------------------------


def prior_works(timeline: Sequence[TimelineWork], year: int) -> int:
    """Works in ``timeline`` published before ``year``."""
    return sum(1 for w in timeline if w.year is not None and w.year < year)


def company_share(timeline: Sequence[TimelineWork], year: int) -> float:
    """Of the works from ``year`` - 1 to ``year`` + 1 that name a company or a university,
    the share naming a company (1.0 when there is none)."""
    near = [
        w
        for w in timeline
        if w.year is not None and abs(w.year - year) <= 1 and (w.company_ids or w.education_ids)
    ]
    return sum(1 for w in near if w.company_ids) / len(near) if near else 1.0


def return_work(
    timeline: Sequence[TimelineWork], year: int, params: InternParams
) -> TimelineWork | None:
    """The first work 1..``return_within_years`` years after ``year`` naming an
    education institution (None when there is none)."""
    for w in timeline:
        later = w.year is not None and year < w.year <= year + params.return_within_years
        if later and w.education_ids:
            return w
    return None


def pair_status(
    row: CoauthorRow,
    intern_timeline: Sequence[TimelineWork],
    host_timeline: Sequence[TimelineWork],
    params: InternParams,
) -> str | None:
    """``"likely"``, ``"unconfirmed"`` (rules 1-3 hold, no later work in the store), or
    None when the pair does not fit the rule."""
    if row.year is None or (params.since is not None and row.year < params.since):
        return None
    if row.n_authors > params.max_authors:
        return None
    if params.host_company_only and row.host_education_ids:
        return None
    if row.alphabetical and 0 < params.skip_alphabetical_from <= row.n_authors:
        return None
    if params.first_author_only and row.intern_position != "first":
        return None
    if prior_works(host_timeline, row.year) < params.host_min_prior_works:
        return None
    if company_share(host_timeline, row.year) < params.host_min_company_share:
        return None
    if prior_works(intern_timeline, row.year) > params.max_prior_works:
        return None
    if not params.require_return or return_work(intern_timeline, row.year, params):
        return "likely"
    if not any(w.year is not None and w.year > row.year for w in intern_timeline):
        return "unconfirmed"
    return None


def _names(ids: Iterable[str], institutions: Mapping[str, str]) -> str:
    return "; ".join(institutions.get(i, i) for i in ids)


def classify_pairs(
    rows: Sequence[CoauthorRow],
    timelines: Mapping[str, Sequence[TimelineWork]],
    people: Mapping[str, str],
    institutions: Mapping[str, str],
    params: InternParams,
) -> tuple[list[HostedIntern], list[HostedIntern]]:
    """``(likely, unconfirmed)``: one entry per (host, intern), the earliest joint paper.

    ``timelines``: person id -> works (:func:`labscout.store.intern_reads.person_timelines`);
    ``people`` and ``institutions``: id -> display name.
    """
    likely: dict[tuple[str, str], HostedIntern] = {}
    unconfirmed: dict[tuple[str, str], HostedIntern] = {}
    ordered = sorted(rows, key=lambda r: (r.year or 0, r.work_id, r.host_id, r.intern_id))
    for r in ordered:
        key = (r.host_id, r.intern_id)
        if key in likely:
            continue
        status = pair_status(
            r, timelines.get(r.intern_id, ()), timelines.get(r.host_id, ()), params
        )
        if status is None or (status == "unconfirmed" and key in unconfirmed):
            continue
        assert r.year is not None
        later = return_work(timelines.get(r.intern_id, ()), r.year, params)
        entry = HostedIntern(
            intern_id=r.intern_id,
            name=people.get(r.intern_id, r.intern_id),
            university=_names(r.intern_education_ids, institutions),
            prior_works=prior_works(timelines.get(r.intern_id, ()), r.year),
            work=InternWork(r.work_id, r.title, r.year, r.venue),
            host_id=r.host_id,
            host_name=people.get(r.host_id, r.host_id),
            company_ids=r.host_company_ids,
            company=_names(r.host_company_ids, institutions),
            later_work=InternWork(later.work_id, later.title, later.year) if later else None,
            back_at=_names(later.education_ids, institutions) if later else None,
        )
        (likely if status == "likely" else unconfirmed)[key] = entry
    for key in likely:
        unconfirmed.pop(key, None)
    return list(likely.values()), list(unconfirmed.values())


def _newest_first(entries: Iterable[HostedIntern]) -> list[HostedIntern]:
    return sorted(entries, key=lambda e: (-(e.work.year or 0), e.work.work_id, e.intern_id))


def _first_per_intern(entries: Iterable[HostedIntern]) -> list[HostedIntern]:
    out: dict[str, HostedIntern] = {}
    for e in sorted(entries, key=lambda e: (e.work.year or 0, e.work.work_id, e.host_id)):
        out.setdefault(e.intern_id, e)
    return list(out.values())


def _sentence(who: str, interns: Sequence[HostedIntern], n_unconfirmed: int) -> str:
    if not interns:
        text = f"{who}: no likely interns in the store"
    else:
        since = min(e.work.year or 0 for e in interns)
        names = ", ".join(e.name for e in _newest_first(interns)[:5])
        more = f" and {len(interns) - 5} more" if len(interns) > 5 else ""
        text = f"{who} hosted about {len(interns)} likely interns since {since}: {names}{more}"
    if n_unconfirmed:
        text += f" (+{n_unconfirmed} unconfirmed: no later work in the store)"
    return text


def host_signal(
    host_id: str,
    name: str,
    likely: Sequence[HostedIntern],
    unconfirmed: Sequence[HostedIntern],
    params: InternParams,
) -> InternHostSignal:
    """The signal of one host from their classified pairs (others' pairs are ignored)."""
    mine = _first_per_intern(e for e in likely if e.host_id == host_id)
    known = {e.intern_id for e in mine}
    n_unc = len({e.intern_id for e in unconfirmed if e.host_id == host_id} - known)
    companies = sorted({e.company for e in mine if e.company})
    return InternHostSignal(
        host_id=host_id,
        name=name,
        n_interns=len(mine),
        since=min((e.work.year for e in mine if e.work.year), default=None),
        interns=tuple(_newest_first(mine)[: params.max_listed]),
        n_unconfirmed=n_unc,
        companies=tuple(companies),
        summary=_sentence(name, mine, n_unc),
        params=asdict(params),
    )


def company_signal(
    institution_id: str,
    name: str,
    likely: Sequence[HostedIntern],
    unconfirmed: Sequence[HostedIntern],
    params: InternParams,
) -> CompanyInternSignal:
    """The signal of one company institution: pairs whose host named it on the paper."""
    here = [e for e in likely if institution_id in e.company_ids]
    per_host: dict[str, set[str]] = defaultdict(set)
    host_names: dict[str, str] = {}
    for e in here:
        per_host[e.host_id].add(e.intern_id)
        host_names[e.host_id] = e.host_name
    interns = _first_per_intern(here)
    known = {e.intern_id for e in interns}
    n_unc = len({e.intern_id for e in unconfirmed if institution_id in e.company_ids} - known)
    hosts = sorted(
        (CompanyHost(h, host_names[h], len(ids)) for h, ids in per_host.items()),
        key=lambda h: (-h.n_interns, h.name, h.host_id),
    )
    return CompanyInternSignal(
        institution_id=institution_id,
        name=name,
        n_interns=len(interns),
        since=min((e.work.year for e in interns if e.work.year), default=None),
        n_hosts=len(hosts),
        hosts=tuple(hosts),
        interns=tuple(_newest_first(interns)[: params.max_listed]),
        n_unconfirmed=n_unc,
        summary=_sentence(name, interns, n_unc),
        params=asdict(params),
    )


# -- read from the store, then apply the rule ----------------------------------------


def classify_store_pairs(
    store: Store,
    params: InternParams,
    host_author_ids: Sequence[str] | None = None,
    company_ids: Sequence[str] | None = None,
) -> tuple[list[HostedIntern], list[HostedIntern]]:
    """Read the candidate pairs (of some hosts, some companies, or the whole store) and
    the people's timelines, then apply :func:`classify_pairs`."""
    rows = R.company_education_pairs(store, host_author_ids, company_ids)
    if params.first_author_only:
        rows = [r for r in rows if r.intern_position == "first"]
    rows = [r for r in rows if r.n_authors <= params.max_authors]
    people = sorted({r.host_id for r in rows} | {r.intern_id for r in rows})
    timelines = R.person_timelines(store, people)
    names = R.person_names(store, people)
    inst_ids = sorted(
        {i for r in rows for i in r.host_company_ids + r.intern_education_ids}
        | {i for t in timelines.values() for w in t for i in w.education_ids}
    )
    return classify_pairs(rows, timelines, names, _institution_names(store, inst_ids), params)


def _institution_names(store: Store, ids: Sequence[str]) -> dict[str, str]:
    """Institution id -> display name (the id when the record has no name)."""
    return {i: x.display_name or i for i, x in store.institution_info(ids).items()}


def intern_host_signal(
    store: Store, author_id: str, params: InternParams | None = None
) -> InternHostSignal:
    """The intern-host signal of one researcher: any reference
    :func:`labscout.people.resolve_person` reads (author id, ORCID, profile URL, name)."""
    params = params or InternParams()
    person = P.resolve_person(store, author_id)
    host = person.id
    likely, unconfirmed = classify_store_pairs(store, params, host_author_ids=[host])
    name = R.person_names(store, [host]).get(host) or person.display_name or host
    return host_signal(host, name, likely, unconfirmed, params)


def company_intern_signal(
    store: Store, institution_id: str, params: InternParams | None = None
) -> CompanyInternSignal:
    """The intern-host signal of one company institution (an institution id)."""
    params = params or InternParams()
    likely, unconfirmed = classify_store_pairs(store, params, company_ids=[institution_id])
    name = _institution_names(store, [institution_id]).get(institution_id, institution_id)
    return company_signal(institution_id, name, likely, unconfirmed, params)


def intern_hosts(
    store: Store,
    params: InternParams | None = None,
    host_author_ids: Sequence[str] | None = None,
    company_ids: Sequence[str] | None = None,
) -> tuple[InternHostSignal, ...]:
    """Every host with at least one likely intern (of the given hosts or companies, or
    the whole store), most interns first: what ``find --hosts-interns`` filters on."""
    params = params or InternParams()
    likely, unconfirmed = classify_store_pairs(store, params, host_author_ids, company_ids)
    names = {e.host_id: e.host_name for e in likely}
    out = [host_signal(h, names[h], likely, unconfirmed, params) for h in sorted(names)]
    out.sort(key=lambda s: (-s.n_interns, s.name, s.host_id))
    return tuple(out)


def company_intern_signals(
    store: Store, params: InternParams | None = None, company_ids: Sequence[str] | None = None
) -> tuple[CompanyInternSignal, ...]:
    """Every company institution with at least one likely intern, most first (what
    ``ladder --type company`` shows)."""
    params = params or InternParams()
    likely, unconfirmed = classify_store_pairs(store, params, company_ids=company_ids)
    ids = sorted({i for e in likely for i in e.company_ids})
    if company_ids is not None:
        ids = [i for i in ids if i in set(company_ids)]
    names = _institution_names(store, ids)
    out = [company_signal(i, names.get(i, i), likely, unconfirmed, params) for i in ids]
    out.sort(key=lambda s: (-s.n_interns, s.name, s.institution_id))
    return tuple(out)


class _HasAuthor(Protocol):
    @property
    def author_id(self) -> str: ...


T = TypeVar("T", bound=_HasAuthor)


def keep_hosts(
    store: Store, ranked: Sequence[T], params: InternParams | None = None
) -> tuple[list[T], dict[str, InternHostSignal]]:
    """The items of ``ranked`` (anything with an ``author_id``, a person id) whose
    researcher hosted at least one likely intern, in order, and their signals by id:
    what ``find --hosts-interns`` keeps."""
    ids = list(dict.fromkeys(r.author_id for r in ranked))
    if not ids:
        return [], {}
    found = intern_hosts(store, params, host_author_ids=ids)
    wanted = set(ids)
    signals = {s.host_id: s for s in found if s.host_id in wanted}
    return [r for r in ranked if r.author_id in signals], signals
