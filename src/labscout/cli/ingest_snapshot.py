"""`labscout ingest openalex-snapshot ROOT`: the OpenAlex snapshot through DuckDB's JSON reader."""

from __future__ import annotations

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
from labscout.cli.ingest_cmds import JsonOption, app, print_report
from labscout.ingest import openalex_snapshot


@app.command("openalex-snapshot")
@handle_errors
def openalex_snapshot_cmd(
    root: Annotated[
        str,
        typer.Argument(help="The snapshot folder: the one holding data/works/ (and merged_ids/)."),
    ],
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field", help="Keep works with a topic in this field, e.g. 17 (repeatable)."
        ),
    ] = None,
    subfield: Annotated[
        list[str] | None,
        typer.Option(
            "--subfield", help="Keep works with a topic in this subfield, e.g. 1702 (repeatable)."
        ),
    ] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", help="Keep works with this topic, e.g. T10320 (repeatable)."),
    ] = None,
    since: Annotated[
        int | None, typer.Option("--since", help="Keep works published from this year on.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Read again partitions an earlier run finished.")
    ] = False,
    at_once: Annotated[
        int | None,
        typer.Option(
            "--at-once",
            help="Partitions read in parallel and written together (memory grows with it) "
            "[default: DuckDB's thread count].",
        ),
    ] = None,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest the works of an OpenAlex snapshot with DuckDB's JSON reader, filtered while reading.

    Reads the partitions the manifest of data/works lists, several at once;
    each finished partition is recorded, so an interrupted run resumes at the
    next one when run again with the same filters.
    """
    s = settings(config, db=db, quiet=quiet or None)
    with open_store(s) as store:
        report = openalex_snapshot(
            store,
            root,
            fields=field or (),
            subfields=subfield or (),
            topics=topic or (),
            since=since,
            force=force,
            partitions_at_once=at_once,
            progress=progress_for(s),
        )
    print_report(report, as_json)
