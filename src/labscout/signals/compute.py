"""The signals as pure functions over a researcher's stored works.

Each function takes the researcher's works (records with authorships), the
set of ids that are this person, and the windows in :class:`SignalParams`,
and returns the figure with the works behind it and one sentence in words.
``person_of`` maps any author id to one id per person (identity links), so a
co-author with two ids counts once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence

from labscout.records import Authorship, Work
from labscout.signals.types import (
    Activity,
    Coauthor,
    Growth,
    Seniority,
    SignalParams,
    Student,
    Students,
    TopicPeriod,
    WorkRef,
)


def own_authorship(work: Work, me: Collection[str]) -> Authorship | None:
    """The researcher's authorship on ``work`` (the first when listed under two ids)."""
    for a in work.authorships:
        if a.author_id in me:
            return a
    return None


def work_ref(work: Work, me: Collection[str]) -> WorkRef:
    a = own_authorship(work, me)
    return WorkRef(
        work_id=work.id,
        title=work.title,
        year=work.publication_year,
        position=a.author_position if a else None,
        n_authors=len(work.authorships),
        venue=work.venue,
    )


def _window(params: SignalParams, ref_year: int) -> tuple[int, int]:
    return (ref_year - params.recent_years + 1, ref_year)


def _sort_key(w: Work) -> tuple:
    return (w.publication_year or 0, w.publication_date or "", w.id)


def activity(
    works: Sequence[Work], me: Collection[str], params: SignalParams, ref_year: int
) -> Activity:
    lo, hi = _window(params, ref_year)
    years = [w.publication_year for w in works if w.publication_year is not None]
    counts = Counter(y for y in years if lo <= y <= hi)
    n_recent = sum(counts.values())
    per_year = tuple((y, counts.get(y, 0)) for y in range(lo, hi + 1))
    dated = [w for w in works if w.publication_year is not None]
    last = max(dated, key=_sort_key) if dated else None
    rate = n_recent / params.recent_years
    if last is None:
        summary = f"{len(works)} works in the store, none with a year"
    else:
        summary = (
            f"{n_recent} works in {lo}-{hi} ({rate:.1f} a year); "
            f"last work {last.publication_year}: {last.title}"
        )
    return Activity(
        n_works=len(works),
        first_year=min(years) if years else None,
        window=(lo, hi),
        n_recent=n_recent,
        works_per_year=round(rate, 3),
        per_year=per_year,
        last_work=work_ref(last, me) if last else None,
        summary=summary,
    )


def seniority(
    works: Sequence[Work], me: Collection[str], params: SignalParams, ref_year: int
) -> Seniority:
    lo, hi = _window(params, ref_year)
    n_multi = n_last = n_first = n_middle = 0
    last_works: list[Work] = []
    for w in works:
        y = w.publication_year
        if y is None or not lo <= y <= hi or len(w.authorships) < 2:
            continue
        a = own_authorship(w, me)
        if a is None:
            continue
        n_multi += 1
        if a.author_position == "last":
            n_last += 1
            last_works.append(w)
        elif a.author_position == "first":
            n_first += 1
        else:
            n_middle += 1
    share = n_last / n_multi if n_multi else None
    if share is None:
        summary = f"no multi-author works in {lo}-{hi}"
    else:
        summary = (
            f"last author on {n_last} of {n_multi} multi-author works in {lo}-{hi} "
            f"({share:.0%}); first author on {n_first}, middle on {n_middle}"
        )
    last_works.sort(key=_sort_key, reverse=True)
    return Seniority(
        window=(lo, hi),
        n_multi_author=n_multi,
        n_last=n_last,
        n_first=n_first,
        n_middle=n_middle,
        share_last=round(share, 4) if share is not None else None,
        last_author_works=tuple(work_ref(w, me) for w in last_works),
        summary=summary,
    )


def first_joint_works(
    works: Sequence[Work], me: Collection[str], person_of: Mapping[str, str]
) -> dict[str, tuple[Work, Authorship]]:
    """Co-author (person id) -> their earliest work with the researcher, and their
    authorship on it (ties broken by date, then id)."""
    out: dict[str, tuple[Work, Authorship]] = {}
    for w in sorted((w for w in works if w.publication_year is not None), key=_sort_key):
        if own_authorship(w, me) is None:
            continue
        for a in w.authorships:
            if a.author_id in me:
                continue
            pid = person_of.get(a.author_id, a.author_id)
            if pid in me or pid in out:
                continue
            out[pid] = (w, a)
    return out


def students(
    works: Sequence[Work],
    me: Collection[str],
    person_of: Mapping[str, str],
    first_years: Mapping[str, int],
    names: Mapping[str, str],
    params: SignalParams,
    ref_year: int,
) -> Students:
    """``first_years``: person id -> year of their first work in the store (the
    researcher's own ids included)."""
    own_first = min((first_years[i] for i in me if i in first_years), default=None)
    recent_from = ref_year - params.recent_years + 1
    found: list[Student] = []
    for pid, (w, a) in first_joint_works(works, me, person_of).items():
        mine = own_authorship(w, me)
        if a.author_position != "first" or mine is None or mine.author_position == "first":
            continue
        start = first_years.get(pid)
        year = w.publication_year
        if start is None or year is None or year - start >= params.early_years:
            continue
        if own_first is not None and own_first >= start:
            continue  # a peer or a senior, not a student
        found.append(
            Student(
                author_id=pid,
                name=names.get(pid) or a.raw_author_name or pid,
                first_year=start,
                first_joint_work=work_ref(w, me),
            )
        )
    found.sort(key=lambda s: (-(s.first_joint_work.year or 0), s.author_id))
    n_recent = sum(1 for s in found if (s.first_joint_work.year or 0) >= recent_from)
    summary = (
        f"{len(found)} first authors started publishing with them "
        f"(first joint work within their first {params.early_years} years); "
        f"{n_recent} since {recent_from}"
    )
    return Students(params.early_years, recent_from, tuple(found), n_recent, summary)


def growth(
    works: Sequence[Work],
    me: Collection[str],
    person_of: Mapping[str, str],
    params: SignalParams,
    ref_year: int,
) -> Growth:
    lo, hi = _window(params, ref_year)
    firsts = Counter(
        w.publication_year for w, _ in first_joint_works(works, me, person_of).values()
    )
    per_year = tuple((y, firsts.get(y, 0)) for y in range(lo, hi + 1))
    n_recent = sum(n for _, n in per_year)
    n_before = sum(firsts.get(y, 0) for y in range(lo - params.recent_years, lo))
    summary = (
        f"{n_recent} new co-authors in {lo}-{hi} ({n_recent / params.recent_years:.1f} a year), "
        f"{n_before} in the {params.recent_years} years before"
    )
    return Growth((lo, hi), per_year, n_recent, n_before, summary)


def _labels(w: Work, basis: str, params: SignalParams) -> list[tuple[str, float]]:
    if basis == "topics":
        return [(t.display_name, t.score if t.score is not None else 1.0) for t in w.topics]
    if basis == "concepts":
        return [
            (c.display_name, c.score if c.score is not None else 1.0)
            for c in w.concepts
            if c.score is None or c.score >= params.min_concept_score
        ]
    return [(w.venue, 1.0)] if w.venue else []


def topics_over_time(
    works: Sequence[Work], params: SignalParams
) -> tuple[str, tuple[TopicPeriod, ...]]:
    """Main topics per period of ``period_years``, the last period ending at the latest
    work. Read from works' topics where any work has them, else concepts, else venues."""
    dated = [w for w in works if w.publication_year is not None]
    if any(w.topics for w in dated):
        basis = "topics"
    elif any(w.concepts for w in dated):
        basis = "concepts"
    elif any(w.venue for w in dated):
        basis = "venues"
    else:
        return "none", ()
    last = max(w.publication_year for w in dated)  # type: ignore[type-var]
    by_period: dict[int, list[Work]] = defaultdict(list)
    for w in dated:
        by_period[(last - w.publication_year) // params.period_years].append(w)  # type: ignore[operator]
    out = []
    for k in sorted(by_period, reverse=True):
        weights: Counter[str] = Counter()
        for w in by_period[k]:
            for label, score in _labels(w, basis, params):
                weights[label] += score
        top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[: params.topics_per_period]
        end = last - k * params.period_years
        out.append(
            TopicPeriod(
                start=end - params.period_years + 1,
                end=end,
                n_works=len(by_period[k]),
                topics=tuple((t, round(v, 3)) for t, v in top),
            )
        )
    return basis, tuple(out)


def top_coauthors(
    works: Sequence[Work],
    me: Collection[str],
    person_of: Mapping[str, str],
    names: Mapping[str, str],
    institution_names: Mapping[str, str],
    params: SignalParams,
) -> tuple[Coauthor, ...]:
    """Co-authors by shared works (then latest shared year, then id)."""
    shared: Counter[str] = Counter()
    last: dict[str, tuple[tuple, Authorship]] = {}
    for w in works:
        if own_authorship(w, me) is None:
            continue
        seen: set[str] = set()
        for a in w.authorships:
            pid = person_of.get(a.author_id, a.author_id)
            if a.author_id in me or pid in me or pid in seen:
                continue
            seen.add(pid)
            shared[pid] += 1
            key = _sort_key(w)
            if pid not in last or key > last[pid][0]:
                last[pid] = (key, a)
    ranked = sorted(shared, key=lambda p: (-shared[p], -(last[p][0][0] or 0), p))
    out = []
    for pid in ranked[: params.n_coauthors]:
        key, a = last[pid]
        inst = next((institution_names.get(i, i) for i in a.institution_ids), None)
        out.append(
            Coauthor(
                author_id=pid,
                name=names.get(pid) or a.raw_author_name or pid,
                n_works=shared[pid],
                last_year=key[0] or None,
                institution=inst
                or (a.raw_affiliation_strings[0] if a.raw_affiliation_strings else None),
            )
        )
    return tuple(out)
