"""`labscout scout TOPIC`: from nothing to answers in one command (:func:`labscout.scout.scout`)."""

from __future__ import annotations

import shlex
from typing import Annotated
from urllib.parse import urlencode

import typer

from labscout.cli.common import (
    ConfigOption,
    DbOption,
    QuietOption,
    ReportFormatOption,
    echo_json,
    handle_errors,
    lexical_hint,
    progress_for,
    report_format,
    settings,
)
from labscout.scout import DEFAULT_MAX_WORKS, ScoutResult


def register(app: typer.Typer) -> None:
    app.command("scout")(scout_cmd)


@handle_errors
def scout_cmd(
    topic: Annotated[str, typer.Argument(help="What you want to work on, in your own words.")],
    since: Annotated[
        int | None, typer.Option("--since", help="Only works published in this year or later.")
    ] = None,
    max_works: Annotated[
        int,
        typer.Option("--max-works", help="At most this many works fetched for the topic."),
    ] = DEFAULT_MAX_WORKS,
    top: Annotated[
        int | None, typer.Option("--top", "-n", help="How many researchers [default: 10].")
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option("--api-key", help="OpenAlex API key (env OPENALEX_API_KEY)."),
    ] = None,
    fmt: ReportFormatOption = "text",
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
) -> None:
    """Fetch a topic's works with their authors and institutions from the OpenAlex API,
    index them, and print who works on it, the ladder of places and what to read first.

    A second run with the same topic fetches nothing new (an interrupted one resumes).
    Needs a free OpenAlex API key (OPENALEX_API_KEY or --api-key).
    """
    from labscout.scout import scout

    as_json = report_format(fmt)
    s = settings(config, db=db, quiet=quiet or None, openalex_api_key=api_key)
    result = scout(s.db, topic, since=since, max_works=max_works, top=top, settings=s,
                   progress=progress_for(s))  # fmt: skip
    lexical_hint(result.index.embedder)
    if as_json:
        echo_json(result)
        return
    print_scout(result)


def print_scout(result: ScoutResult) -> None:
    from labscout.cli.ladder_view import print_ladder, print_reading
    from labscout.cli.search_cmds import print_table

    f = result.fetch
    if result.fetched_nothing_new:
        typer.echo(f"OpenAlex: '{result.topic}' was fetched before; nothing new to fetch.")
    else:
        c = f.counts
        typer.echo(
            f"OpenAlex: +{c.works_inserted:,} works ({c.works_updated:,} updated), "
            f"+{c.authors_inserted:,} authors, +{c.institutions_inserted:,} institutions."
        )
    typer.echo(result.index.summary())
    typer.echo("\n== Who works on it ==")
    print_table(result.find)
    typer.echo("\n== Where: the ladder ==")
    print_ladder(result.ladder)
    typer.echo("\n== What to read first ==")
    print_reading(result.reading)
    db = shlex.quote(result.db)
    url = "http://127.0.0.1:8000/search?" + urlencode({"q": result.topic})
    typer.echo(f"\nOpen the web app on the same store: labscout serve --db {db}  (then {url})")
