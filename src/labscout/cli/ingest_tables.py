"""`labscout ingest paperlists` and `labscout ingest table`: lists and tables of papers."""

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
from labscout.cli.ingest_cmds import JsonOption, print_report
from labscout.ingest.paperlists import PaperListReport, paperlists
from labscout.ingest.table import table

ForceOption = Annotated[
    bool, typer.Option("--force", help="Read files again that an earlier run finished.")
]
NoMatchOption = Annotated[
    bool,
    typer.Option(
        "--no-match",
        help="Do not merge papers the store already holds (by DOI, arXiv id, title + year).",
    ),
]


def _print(report: PaperListReport, as_json: bool) -> None:
    print_report(report, as_json)
    if as_json:
        return
    for d in report.dropped_items[:5]:
        where = f"{d.location}:{d.line}" if d.line else d.location
        typer.echo(f"  kept without affiliations {where}: {d.reason}", err=True)
    if report.dropped > 5:
        typer.echo(f"  ... and {report.dropped - 5} more (use --json for all)", err=True)


def paperlists_cmd(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Paper Copilot lists (.json, .json.gz; e.g. nips/nips2018.json.gz) or folders."
        ),
    ],
    force: ForceOption = False,
    no_match: NoMatchOption = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest conference paper lists in the Paper Copilot format (venue and year from file names).

    Papers without a title or authors are rejected; papers whose affiliations
    do not line up with their authors are kept without them. Both are reported
    with file and position. Institutions get a country code and a guessed type
    (see docs/sources.md).
    """
    s = settings(config, db=db, quiet=quiet or None)
    with open_store(s) as store:
        report = paperlists(
            store,
            paths,
            force=force,
            match=not no_match,
            batch_size=s.batch_size,
            progress=progress_for(s),
        )
    _print(report, as_json)


def table_cmd(
    path: Annotated[str, typer.Argument(help="A .csv, .tsv or .jsonl file (optionally .gz).")],
    mapping: Annotated[
        str,
        typer.Option(
            "--map",
            help=(
                "Columns for the fields: title and authors (required); abstract, year, venue, "
                "doi, affiliations, id (optional). E.g. --map title=Title,authors=Author,"
                "affiliations=Affiliation,year=Year,venue=Conference"
            ),
        ),
    ],
    author_sep: Annotated[
        str,
        typer.Option(
            "--author-sep",
            help="Separator between authors (and their affiliations) in one cell.",
        ),
    ] = ";",
    force: ForceOption = False,
    no_match: NoMatchOption = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest any table of papers (a committee's export, a lab's list) through a column mapping.

    Consecutive rows with the same title, year and venue are one paper (tables
    with one row per author). A mapped column the file lacks is an error that
    names it.
    """
    s = settings(config, db=db, quiet=quiet or None)
    with open_store(s) as store:
        report = table(
            store,
            path,
            mapping,
            author_sep=author_sep,
            force=force,
            match=not no_match,
            batch_size=s.batch_size,
            progress=progress_for(s),
        )
    _print(report, as_json)


def register(ingest_app: typer.Typer) -> None:
    """Add `paperlists` and `table` to the `labscout ingest` group."""
    ingest_app.command("paperlists")(handle_errors(paperlists_cmd))
    ingest_app.command("table")(handle_errors(table_cmd))
