"""Tables for `labscout ladder`, `labscout researcher` and `labscout read` (rich; data is
never read as console markup: :func:`labscout.cli.common.plain_console`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer

from labscout.cli.common import plain_console, plain_table, short_title
from labscout.core import InstitutionView
from labscout.rank.institutions import LadderResult
from labscout.rank.reading import ReadingList
from labscout.signals.types import ResearcherProfile


def _pct(x: float) -> str:
    return f"{x * 100:.2f}%"


def print_ladder(result: LadderResult) -> None:
    console = plain_console()
    t = result.tiering
    lo, hi = result.field_window
    console.print(
        f"{len(result.institutions)} institutions shown; tiers by {t.method} over "
        f"{sum(t.counts)} credited places (per tier: {', '.join(map(str, t.counts))}); "
        f"{result.n_researchers} researchers; field prestige over {lo}-{hi}.",
        style="dim",
    )
    table = plain_table(
        "#", "tier", "institution", "topic strength", "field prestige",
        "researchers (credit; best work)", right=("#", "tier", "topic strength"),
    )  # fmt: skip
    for r in result.institutions:
        p = r.prestige
        people = "\n".join(
            f"{x.name} ({x.credit:.3f}; {short_title(x.works[0].title, 50)}, "
            f"{x.works[0].year or '?'}, "
            f"{x.works[0].position})"
            for x in r.researchers[:3]
            if x.works
        )
        table.add_row(
            str(r.rank),
            str(r.tier),
            f"{r.name}\n{r.country_code or '?'} · {r.type or 'type unknown'}",
            f"{r.score:.3f}\n{r.n_researchers} researchers",
            f"tier {p.tier}\n{p.n_works} works ({_pct(p.works_share)})\n"
            f"{p.citations:,} cites ({_pct(p.citations_share)})",
            people,
        )
    console.print(table)
    if result.interns:
        console.print("Interns hosted (company researchers with early-career university "
                      "first authors who are back there later):", style="bold")  # fmt: skip
        for r in result.institutions:
            if r.institution_id in result.interns:
                console.print(f"  {result.interns[r.institution_id]['summary']}", markup=False)
    if result.hidden_gems:
        console.print("\nHidden gems (high fit, institution of low field prestige):", style="bold")
        for g in result.hidden_gems:
            console.print(f"  {g.name} (#{g.find_rank}, fit {g.fit:.3f}): {g.reason}")
    if result.hidden_gem_groups:
        console.print(
            "\nHidden-gem groups (strong on the topic, low field prestige):", style="bold"
        )
        for gg in result.hidden_gem_groups:
            console.print(f"  {gg.institution} (#{gg.rank}): {gg.reason}")
    if result.from_institution:
        f = result.from_institution
        console.print(f"\nFrom {f['name']}: {f['basis']}.", style="bold")
        if f.get("note"):
            console.print(f"  {f['note']}")
        elif not result.stepping_stones:
            console.print("  No place one or two tiers above has a co-author at your tier.")
        for st in result.stepping_stones:
            console.print(f"  {st.reason}")
    if not result.institutions:
        console.print("No institution matched; try other words, or fewer filters.")


def _years(pairs) -> str:
    return " ".join(f"{y}:{n}" for y, n in pairs)


def print_profile(p: ResearcherProfile) -> None:
    console = plain_console()
    ids = f" (also {', '.join(i for i in p.author_ids if i != p.author_id)})"
    console.print(
        f"{p.name}  {p.author_id}{ids if len(p.author_ids) > 1 else ''}"
        + (f"  ORCID {p.orcid}" if p.orcid else ""),
        style="bold",
    )
    table = plain_table(
        "signal", "in words", "numbers and works",
        title=f"Signals (reference year {p.reference_year})",
    )  # fmt: skip
    a = p.activity
    last = f"\nlast: {a.last_work.work_id} ({a.last_work.year})" if a.last_work else ""
    table.add_row(
        "recent activity",
        a.summary,
        f"{a.n_works} works in the store since {a.first_year}\n{_years(a.per_year)}{last}",
    )
    s = p.seniority
    table.add_row(
        "senior position",
        s.summary,
        "\n".join(
            f"{w.work_id} ({w.year}) {short_title(w.title, 50)}" for w in s.last_author_works[:5]
        ),
    )
    st = p.students
    table.add_row(
        "students",
        st.summary,
        "\n".join(
            f"{x.name} (from {x.first_year}): {x.first_joint_work.work_id} "
            f"({x.first_joint_work.year})"
            for x in st.students[:8]
        ),
    )
    g = p.growth
    table.add_row("group growth", g.summary, _years(g.per_year))
    i = p.institution
    table.add_row(
        "institution",
        i.summary,
        f"{i.institution_id or ''}" + (f"\nfrom {i.work.work_id}" if i.work else ""),
    )
    if p.interns is not None:
        table.add_row("hosts interns", p.interns.summary, _intern_lines(p.interns.interns))
    console.print(table)
    if p.topics_over_time:
        console.print(f"Topics over time (from {p.topics_basis}):", style="bold")
        for t in p.topics_over_time:
            names = ", ".join(name for name, _ in t.topics)
            console.print(f"  {t.start}-{t.end} ({t.n_works} works): {names}")
    if p.top_coauthors:
        console.print("Top co-authors:", style="bold")
        for c in p.top_coauthors:
            where = f", {c.institution}" if c.institution else ""
            console.print(
                f"  {c.name} ({c.author_id}{where}): {c.n_works} works, last {c.last_year}"
            )


def _intern_lines(interns: Sequence[Any]) -> str:
    """One line per likely intern: the joint paper and the later work back at a university."""
    out = []
    for e in interns[:8]:
        back = f"; back at {e.back_at} ({e.later_work.year})" if e.later_work else ""
        out.append(f"{e.name} ({e.university}): {e.work.work_id} ({e.work.year}){back}")
    return "\n".join(out)


def print_reading(r: ReadingList) -> None:
    console = plain_console()
    table = plain_table("#", "work", "why")
    for it in r.items:
        table.add_row(
            str(it.rank),
            f"{it.title}\n{it.year or '?'} · {it.venue or ''} · {it.work_id}\n{it.url}",
            it.reason,
        )
    console.print(table)
    if not r.items:
        console.print("Nothing to list; try other words.")


def print_institution(view: InstitutionView) -> None:
    """One institution in a line; with a topic, its line of that topic's ladder."""
    info = view.institution
    where = ", ".join(x for x in (info["country_code"], info["type"]) if x)
    typer.echo(
        f"{info['display_name'] or info['id']} ({info['id']}{', ' + where if where else ''})"
    )
    if view.topic is None:
        return
    if view.rank is None:
        typer.echo(f"No researcher's work on '{view.topic}' credits this place.")
        return
    r = view.rank
    typer.echo(
        f"'{view.topic}': #{r['rank']} of {view.n_ranked} places, tier {r['tier']}, "
        f"topic strength {r['score']:.3f}, {r['n_researchers']} researchers"
    )
    for p in r["researchers"]:
        typer.echo(
            f"  {p['name']} ({p['author_id']}): credit {p['credit']:.3f}, fit {p['fit']:.3f}"
        )


def print_result(result: LadderResult | ResearcherProfile | ReadingList | InstitutionView) -> None:
    """The view of any result of `ladder`, `researcher`, `read` and `institution`."""
    views: dict[type, Any] = {
        LadderResult: print_ladder,
        ResearcherProfile: print_profile,
        ReadingList: print_reading,
        InstitutionView: print_institution,
    }
    views[type(result)](result)
