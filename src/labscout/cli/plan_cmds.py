"""`labscout plan`: where to aim, who to write to, what to read first (docs/plan.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from labscout.cli.common import (
    ConfigOption,
    DbOption,
    OutputOption,
    QuietOption,
    ReindexOption,
    ask,
    check_format,
    handle_errors,
    write_or_echo,
)
from labscout.cli.ladder_cmds import (
    CountryOption,
    LikeBibOption,
    LikeOption,
    MineOption,
    MineOrcidOption,
    RegionOption,
    SinceOption,
    TypeOption,
)
from labscout.errors import InputError

FORMATS = ("table", "json", "md", "html", "bib")


def register(app: typer.Typer) -> None:
    app.command("plan")(plan_cmd)


@handle_errors
def plan_cmd(
    text: Annotated[str | None, typer.Argument(help="Your interests, in your own words.")] = None,
    like: LikeOption = None,
    like_bib: LikeBibOption = None,
    mine: MineOption = None,
    mine_orcid: MineOrcidOption = None,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Where you are now (institution name or id): the bands are relative to its "
            "tier [default: the median tier].",
        ),
    ] = None,
    know: Annotated[
        list[str] | None,
        typer.Option(
            "--know",
            help="Someone you know (author id, ORCID, profile URL or exact name; repeatable): "
            "co-author paths from them to each target.",
        ),
    ] = None,
    country: CountryOption = None,
    region: RegionOption = None,
    type_: TypeOption = None,
    since: SinceOption = None,
    per_band: Annotated[
        int, typer.Option("--per-band", help="Targets listed in each band.")
    ] = 4,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="Output: table, json, md, html (one self-contained "
                     "file) or bib (the plan's works as BibTeX)."),  # fmt: skip
    ] = "table",
    output: OutputOption = None,
    reindex: ReindexOption = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
) -> None:
    """A plan to act on: places to aim for in three bands relative to where you are (reach,
    match, safer), internship targets at company labs, for each the researcher to write to
    with their signals, a co-author path from people you know and three papers to read
    first; and the topic's reading list. Every line comes from stored works."""
    from labscout.planning import PlanParams
    from labscout.query import Query

    check_format(fmt, FORMATS)
    if not 1 <= per_band <= 20:
        raise InputError(f"--per-band {per_band} is out of range", hint="Use 1 to 20.")
    query = Query.from_cli(
        text=text, like=like, like_bib=like_bib, mine=mine, mine_orcid=mine_orcid, since=since,
        country=country, region=region, type=type_, reach_from=know, from_institution=from_,
    )  # fmt: skip
    plan = ask(lambda ls: ls.plan(query, PlanParams(per_band=per_band)), db, quiet, config, reindex)
    write_or_echo(render(plan, fmt), output)
    if output is not None:
        typer.echo(f"wrote {output} ({fmt})", err=True)


def render(plan, fmt: str) -> str:  # noqa: ANN001 (a Plan)
    """The plan in one of :data:`FORMATS`."""
    from labscout.planning.export import to_html, to_markdown

    if fmt == "json":
        return plan.to_json()
    if fmt == "md":
        return to_markdown(plan)
    if fmt == "html":
        return to_html(plan)
    if fmt == "bib":
        return plan.bibtex()
    return _table(plan)


def _table(plan) -> str:  # noqa: ANN001 (a Plan)
    out = [f"Plan for: {plan.query.get('text') or 'your works'}"]
    out += [f"  {n}" for n in plan.notes]
    for band in [*plan.bands, None]:
        name, rule = (band.name, band.rule) if band else ("internships", plan.internship_note)
        targets = band.targets if band else plan.internships
        out.append(f"\n{name.upper()}: {rule}")
        for t in targets:
            out.append(f"  {t.institution} ({t.country_code or '?'}, {t.type or '?'}): "
                       f"{t.researchers[0].name}; {t.band_reason}")  # fmt: skip
            out.append(f"    fit: {t.fit}")
            out.append(f"    students: {t.takes_students['summary']}")
            out.append(f"    interns: {t.hosts_interns['summary']}")
            out.append(f"    activity: {t.activity['summary']}")
            out.append(f"    path: {t.path_note}")
            if t.bridge:
                out.append(f"    stepping stone: {t.bridge}")
            out.append(f"    shared: {t.shared_topic}")
            out += [f"    read: {w.title} ({w.year or 'n.d.'}) {w.url}" for w in t.read_first]
    out.append(f"\nREADING LIST: {plan.reading_note}")
    out += [f"  {i}. {w.title} ({w.year or 'n.d.'}) {w.url}"
            for i, w in enumerate(plan.reading, start=1)]  # fmt: skip
    return "\n".join(out) + "\n"
