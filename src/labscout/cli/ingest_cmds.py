"""`labscout ingest ...`: one sub-command per source."""

from __future__ import annotations

import json
from typing import Annotated

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
from labscout.ingest import IngestReport, openalex_files

app = typer.Typer(help="Read records from a source into the store.", no_args_is_help=True)

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
    s = settings(config, db=db, quiet=quiet or None)
    with open_store(s) as store:
        report = openalex_files(
            store, paths, force=force, batch_size=s.batch_size, progress=progress_for(s)
        )
    print_report(report, as_json)
