"""`labscout identities`: one person across sources - resolve, list, split."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

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
from labscout.store import Store

R = TypeVar("R")

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
    ident = _in_store(db, config, lambda store: identities(store, author), read_only=True)
    _echo(ident, fmt, as_json, _person_lines)


def _in_store(
    db: str | None, config: str | None, call: Callable[[Store], R], read_only: bool = False
) -> R:
    """Open the store of --db and --config, make one call on it, close it."""
    with open_store(settings(config, db=db), read_only=read_only) as store:
        return call(store)


def _echo(result: Any, fmt: str, as_json: bool, text: Callable[[Any], str]) -> None:
    """``result`` as JSON (``--format json``), else as its ``text``."""
    as_json = report_format(fmt, as_json)
    typer.echo(json.dumps(result.to_dict(), indent=2) if as_json else text(result))


def _person_lines(ident: Any) -> str:
    lines = [f"person {ident.person_id}: {len(ident.members)} record(s)"]
    for m in ident.members:
        why = f"{m.link.rule}: {m.link.reason}" if m.link else "the person's own record"
        lines.append(f"  {m.author_id:<40} {m.display_name or '':<28} [{m.source}] {why}")
    for u in ident.undone:
        lines.append(f"  split: {u.author_id} from {u.person_id} ({u.rule}) at {u.undone_at}")
    return "\n".join(lines)


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
    report = _in_store(db, config, lambda store: resolve_identities(store, names=not no_names))
    _echo(report, fmt, as_json, lambda r: r.summary())


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
    result = _in_store(db, config, lambda store: split_author(store, author_id))
    _echo(result, fmt, as_json, lambda r: _split_line(author_id, r))


def _split_line(author_id: str, result: Any) -> str:
    if not result.undone:
        return f"{author_id} is not linked to anyone; nothing to split"
    return (
        f"split {author_id} from {result.person_id} ({len(result.undone)} link(s) undone"
        + (f", {result.new_person_id} now leads the person" if result.new_person_id else "")
        + (
            f", {result.restored_authorships} authorship(s) given back"
            if result.restored_authorships
            else ""
        )
        + ")"
    )
