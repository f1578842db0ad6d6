"""`labscout ingest ...`: one sub-command per source."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer

from labscout.cli.common import (
    ConfigOption,
    DbOption,
    QuietOption,
    handle_errors,
    open_store,
    progress_for,
    settings,
)
from labscout.ingest import IngestReport, openalex_api, openalex_files

app = typer.Typer(
    help="Read records from a source into the store.", no_args_is_help=True, rich_markup_mode=None
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def print_report(report: IngestReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    typer.echo(report.summary())
    for r in report.rejects[:10]:
        where = f"{r.location}:{r.line}" if r.line else r.location
        typer.echo(f"  rejected {where}: {r.reason}", err=True)
    if report.rejected > 10:
        typer.echo(f"  ... and {report.rejected - 10} more (see `labscout stats`)", err=True)


def ingest_and_report(
    fn: Callable[..., IngestReport],
    *args: Any,
    db: str | None,
    quiet: bool,
    config: str | None,
    as_json: bool,
    **kwargs: Any,
) -> IngestReport:
    """What most ingest commands do: open the store, call ``fn(store, *args, ...)`` with
    the batch size and progress from the settings, print the report."""
    s = settings(config, db=db, quiet=quiet or None)
    with open_store(s) as store:
        report = fn(store, *args, batch_size=s.batch_size, progress=progress_for(s), **kwargs)
    print_report(report, as_json)
    return report


@app.command("openalex-files")
@handle_errors
def openalex_files_cmd(
    paths: Annotated[
        list[str],
        typer.Argument(help="JSON, JSON Lines or .gz files, or folders (snapshot layout)."),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Read files again that an earlier run finished.")
    ] = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest OpenAlex works, authors, institutions and merged ids from files."""
    ingest_and_report(
        openalex_files, paths, force=force, db=db, quiet=quiet, config=config, as_json=as_json
    )


@app.command("openalex-api")
@handle_errors
def openalex_api_cmd(
    search: Annotated[
        str | None, typer.Option("--search", help='Full-text search, e.g. "graph neural networks".')
    ] = None,
    filter: Annotated[
        str | None,
        typer.Option(
            "--filter",
            help="OpenAlex filter syntax, passed through (e.g. type:article,is_oa:true).",
        ),
    ] = None,
    since: Annotated[
        int | None, typer.Option("--since", help="Only works published from this year on.")
    ] = None,
    max_works: Annotated[
        int | None, typer.Option("--max-works", help="Stop after this many works.")
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key", help="OpenAlex API key (env OPENALEX_API_KEY).", show_default=False
        ),
    ] = None,
    mailto: Annotated[
        str | None,
        typer.Option(
            "--mailto",
            help="Your e-mail, for OpenAlex's polite pool (env LABSCOUT_OPENALEX_MAILTO).",
        ),
    ] = None,
    works_only: Annotated[
        bool,
        typer.Option("--works-only", help="Do not fetch the full author and institution records."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Fetch again a query that an earlier run finished.")
    ] = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest works matching a search or filter from the OpenAlex API, with their people.

    An interrupted run (daily budget spent, network fault) resumes when run again
    with the same --search/--filter/--since/--max-works.
    """
    s = settings(
        config, db=db, quiet=quiet or None, openalex_api_key=api_key, openalex_mailto=mailto
    )
    with open_store(s) as store:
        report = openalex_api(
            store,
            search=search,
            filter=filter,
            since=since,
            max_works=max_works,
            settings=s,
            with_entities=not works_only,
            force=force,
            progress=progress_for(s),
        )
    print_report(report, as_json)
