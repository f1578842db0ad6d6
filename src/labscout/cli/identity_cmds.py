"""`labscout identities`: one person across sources - resolve, list, split."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from labscout.cli.common import (
    ConfigOption,
    DbOption,
    JsonAliasOption,
    ReportFormatOption,
    handle_errors,
    open_store,
    report_format,
    settings,
)
from labscout.ingest.identity import identities, resolve_identities, split_author

app = typer.Typer(
    rich_markup_mode=None,
    help="Link the records of one person across sources; list and undo the links.",
    invoke_without_command=True,
)


@app.callback()
@handle_errors
def show(
    ctx: typer.Context,
    author: Annotated[
        str | None, typer.Option("--author", help="List the person this author id belongs to.")
    ] = None,
    db: DbOption = None,
    config: ConfigOption = None,
    fmt: ReportFormatOption = "text",
    as_json: JsonAliasOption = False,
) -> None:
    """With --author ID: the person's records and why each was linked."""
    if ctx.invoked_subcommand is not None:
        return
    if author is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    s = settings(config, db=db)
    with open_store(s, read_only=True) as store:
        ident = identities(store, author)
    if report_format(fmt, as_json):
        typer.echo(json.dumps(ident.to_dict(), indent=2))
        return
    typer.echo(f"person {ident.person_id}: {len(ident.members)} record(s)")
    for m in ident.members:
        why = f"{m.link.rule}: {m.link.reason}" if m.link else "the person's own record"
        typer.echo(f"  {m.author_id:<40} {m.display_name or '':<28} [{m.source}] {why}")
    for u in ident.undone:
        typer.echo(f"  split: {u.author_id} from {u.person_id} ({u.rule}) at {u.undone_at}")


@app.command("resolve")
@handle_errors
def resolve_cmd(
    no_names: Annotated[
        bool, typer.Option("--strong-only", help="Only shared ORCID / OpenAlex / DBLP / S2 ids.")
    ] = False,
    db: DbOption = None,
    config: ConfigOption = None,
    fmt: ReportFormatOption = "text",
    as_json: JsonAliasOption = False,
) -> None:
    """Link records of one person: strong ids first, then names with shared co-authors/works."""
    s = settings(config, db=db)
    with open_store(s) as store:
        report = resolve_identities(store, names=not no_names)
    as_json = report_format(fmt, as_json)
    typer.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.summary())


@app.command("split")
@handle_errors
def split_cmd(
    author_id: Annotated[str, typer.Argument(help="The author record to take out of its person.")],
    db: DbOption = None,
    config: ConfigOption = None,
    fmt: ReportFormatOption = "text",
    as_json: JsonAliasOption = False,
) -> None:
    """Undo the link that put AUTHOR_ID in its person (it is not made again by resolve)."""
    s = settings(config, db=db)
    with open_store(s) as store:
        result = split_author(store, author_id)
    if report_format(fmt, as_json):
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    if not result.undone:
        typer.echo(f"{author_id} is not linked to anyone; nothing to split")
        return
    typer.echo(
        f"split {author_id} from {result.person_id} ({len(result.undone)} link(s) undone"
        + (f", {result.new_person_id} now leads the person" if result.new_person_id else "")
        + (
            f", {result.restored_authorships} authorship(s) given back"
            if result.restored_authorships
            else ""
        )
        + ")"
    )
