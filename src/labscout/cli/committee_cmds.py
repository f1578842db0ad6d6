"""`labscout conflicts` and `labscout assign`: for programme committees."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Annotated

import typer

from labscout.cli.common import (
    ConfigOption,
    CsvFormatOption,
    DbOption,
    JsonAliasOption,
    handle_errors,
    open_store,
    report_format,
    settings,
    write_or_echo,
)
from labscout.committee.assign import DEFAULT_FAIR_TIME_LIMIT
from labscout.committee.conflicts import DEFAULT_COAUTHOR_YEARS
from labscout.csvsafe import safe_row
from labscout.graph.build import DEFAULT_MAX_AUTHORS
from labscout.records import Rejected


def register(app: typer.Typer) -> None:
    app.command("conflicts")(conflicts_cmd)
    app.command("assign")(assign_cmd)


OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the CSV here instead of stdout.")
]


def _report_rejects(rejected: tuple[Rejected, ...]) -> None:
    for r in rejected[:10]:
        typer.echo(f"  skipped {r.location}:{r.line}: {r.reason}", err=True)
    if len(rejected) > 10:
        typer.echo(f"  ... and {len(rejected) - 10} more skipped rows", err=True)


@handle_errors
def conflicts_cmd(
    submissions: Annotated[
        Path,
        typer.Option(
            "--submissions",
            help="JSON list of {id, authors: [author ids]} (or {paper_id: [ids]}), or CSV "
            "paper_id,author_id.",
        ),
    ],
    reviewers: Annotated[
        Path,
        typer.Option("--reviewers", help="One author id a line, or CSV with a reviewer_id column."),
    ],
    years: Annotated[
        int,
        typer.Option("--years", help="Co-authorship within this many years is a conflict."),
    ] = DEFAULT_COAUTHOR_YEARS,
    as_of: Annotated[
        int | None, typer.Option("--as-of", help="Year counted back from [default: this year].")
    ] = None,
    max_authors: Annotated[
        int, typer.Option("--max-authors", help="Works with more authors do not count.")
    ] = DEFAULT_MAX_AUTHORS,
    output: OutputOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
    fmt: CsvFormatOption = "csv",
    as_json: JsonAliasOption = False,
) -> None:
    """Flag (reviewer, paper) pairs with a conflict of interest, each with its reason.

    Reasons: author (the reviewer wrote the paper), coauthor (a shared work within
    --years), institution (same institution now), advisor (on 2+ works from the
    first author's first 6 years, one was first author and the other last author).
    The CSV (paper_id,reviewer_id,reason,author_id,detail) feeds `assign --conflicts`.
    """
    from labscout.committee.conflicts import conflicts_from_files

    s = settings(config, db=db)
    with open_store(s, read_only=True) as store:
        report = conflicts_from_files(store, submissions, reviewers, years, as_of, max_authors)
    as_json = report_format(fmt, as_json, "csv")
    write_or_echo(json.dumps(report.to_dict(), indent=2) if as_json else report.to_csv(), output)
    typer.echo(report.summary(), err=True)
    if report.unknown_ids:
        typer.echo(
            f"  {len(report.unknown_ids)} id(s) not in the store (only the author rule applies): "
            + ", ".join(report.unknown_ids[:10]),
            err=True,
        )
    _report_rejects(report.rejected)


@handle_errors
def assign_cmd(
    scores: Annotated[
        Path, typer.Option("--scores", help="CSV paper_id,reviewer_id,score (affinity).")
    ],
    reviewers_per_paper: Annotated[
        int, typer.Option("--reviewers-per-paper", help="Reviewers every paper gets.")
    ] = 3,
    max_papers_per_reviewer: Annotated[
        int, typer.Option("--max-papers-per-reviewer", help="Most papers one reviewer gets.")
    ] = 6,
    conflicts: Annotated[
        Path | None,
        typer.Option("--conflicts", help="CSV with paper_id,reviewer_id pairs never to assign."),
    ] = None,
    fair: Annotated[
        bool,
        typer.Option(
            "--fair", help="Maximise the worst paper's total affinity first, then the total."
        ),
    ] = False,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            help="Seconds each --fair stage may search; then the best assignment found is used.",
        ),
    ] = DEFAULT_FAIR_TIME_LIMIT,
    output: OutputOption = None,
    fmt: CsvFormatOption = "csv",
    as_json: JsonAliasOption = False,
) -> None:
    """Assign reviewers to papers maximising total affinity under load limits.

    Solved exactly (mixed-integer programming, HiGHS via SciPy). Pairs missing from
    --scores are not candidates. Prints the assignment as CSV
    (paper_id,reviewer_id,score) and a summary with the total and the minimum
    per-paper affinity on stderr.
    """
    from labscout.committee.assign import assign_files

    result = assign_files(
        scores, reviewers_per_paper, max_papers_per_reviewer, conflicts, fair, time_limit
    )
    if report_format(fmt, as_json, "csv"):
        text = json.dumps(result.to_dict(), indent=2) + "\n"
    else:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["paper_id", "reviewer_id", "score"])
        writer.writerows(
            safe_row([p.paper_id, p.reviewer_id, f"{p.score:.6g}"]) for p in result.pairs
        )
        text = buf.getvalue()
    write_or_echo(text, output)
    typer.echo(result.summary(), err=True)
    if result.n_conflicts_excluded:
        typer.echo(f"  {result.n_conflicts_excluded} conflicted pairs excluded", err=True)
    _report_rejects(result.rejected)
