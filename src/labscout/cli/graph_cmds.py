"""`labscout path`: chains of co-authors from people you know to a researcher."""

from __future__ import annotations

from typing import Annotated

import typer

from labscout.cli.common import (
    ConfigOption,
    DbOption,
    JsonAliasOption,
    QuietOption,
    ReportFormatOption,
    echo_json,
    handle_errors,
    open_labscout,
    report_format,
    settings,
)
from labscout.graph.build import DEFAULT_MAX_AUTHORS
from labscout.graph.paths import DEFAULT_K, DEFAULT_MAX_LENGTH
from labscout.graph.results import CoauthorPath, PersonRef


def register(app: typer.Typer) -> None:
    app.command("path")(path_cmd)


def _who(p: PersonRef) -> str:
    inst = f", {p.institution}" if p.institution else ""
    return f"{p.display_name or '?'} ({p.id}{inst})"


def format_path(i: int, path: CoauthorPath) -> list[str]:
    steps = "step" if path.hops == 1 else "steps"
    lines = [f"{i}. {path.hops} {steps} (cost {path.cost:.3f}, lower is stronger)"]
    lines.append(f"   {_who(path.people[0])}")
    for edge in path.edges:
        latest = f", latest {edge.last_year}" if edge.last_year else ""
        n = "work" if edge.n_works == 1 else "works"
        lines.append(f"     | {edge.n_works} shared {n}{latest}, strength {edge.strength:.2f}:")
        for w in edge.works:
            lines.append(f'     |   "{w.title}" ({w.year or "n.d."})')
        if edge.n_works > len(edge.works):
            lines.append(f"     |   ... and {edge.n_works - len(edge.works)} more")
        lines.append(f"   {_who(edge.target)}")
    return lines


@handle_errors
def path_cmd(
    to: Annotated[
        str,
        typer.Option(
            "--to", help="The researcher to reach: author id, ORCID, profile URL or exact name."
        ),
    ],
    from_ids: Annotated[
        list[str] | None,
        typer.Option(
            "--from",
            help="Someone you know: author id, ORCID, profile URL or exact name (repeatable).",
        ),
    ] = None,
    from_orcids: Annotated[
        list[str] | None,
        typer.Option("--from-orcid", hidden=True, help="Same as --from (until 0.3)."),
    ] = None,
    from_names: Annotated[
        list[str] | None,
        typer.Option("--from-name", hidden=True, help="Same as --from (until 0.3)."),
    ] = None,
    k: Annotated[int, typer.Option("--k", help="How many paths to show.")] = DEFAULT_K,
    max_length: Annotated[
        int, typer.Option("--max-length", help="Longest path, in co-author steps (1-8).")
    ] = DEFAULT_MAX_LENGTH,
    max_authors: Annotated[
        int,
        typer.Option(
            "--max-authors",
            help="Works with more authors than this add no co-author links.",
        ),
    ] = DEFAULT_MAX_AUTHORS,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
    fmt: ReportFormatOption = "text",
    as_json: JsonAliasOption = False,
) -> None:
    """The k shortest co-author paths from people you know to a researcher.

    Paths are ranked by number of steps, then by strength (more and more recent
    shared works make a stronger link); each step lists the works that make it.
    """
    from labscout.graph.paths import person

    s = settings(config, db=db, quiet=quiet or None)
    with open_labscout(s) as ls:
        found = ls.paths(
            to,
            from_ids or [],
            source_orcids=from_orcids or [],
            source_names=from_names or [],
            k=k,
            max_length=max_length,
            max_authors=max_authors,
        )
        target = found[0].target if found else person(ls.store, to)
    if report_format(fmt, as_json):
        echo_json(found)
        return
    if not found:
        typer.echo(f"No co-author path of at most {max_length} steps to {_who(target)}.")
        return
    typer.echo(f"{len(found)} co-author path(s) to {_who(target)}:")
    for i, p in enumerate(found, start=1):
        for line in format_path(i, p):
            typer.echo(line)
