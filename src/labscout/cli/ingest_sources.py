"""`labscout ingest dblp | arxiv-oai | arxiv-snapshot | s2 | openreview-archives`."""

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
from labscout.cli.ingest_cmds import JsonOption, app, ingest_and_report, print_report
from labscout.ingest import arxiv_oai, arxiv_snapshot, dblp_xml, openreview_archives, s2_files

ForceOption = Annotated[
    bool, typer.Option("--force", help="Read again what an earlier run finished.")
]
NoMatchOption = Annotated[
    bool,
    typer.Option(
        "--no-match",
        help="Do not merge works already in the store (by DOI, arXiv id, title + year).",
    ),
]


@app.command("dblp")
@handle_errors
def dblp_cmd(
    path: Annotated[str, typer.Argument(help="dblp.xml or dblp.xml.gz (or a part of one).")],
    dtd: Annotated[
        str | None,
        typer.Option("--dtd", help="dblp.dtd [default: the one beside the XML file]."),
    ] = None,
    force: ForceOption = False,
    no_match: NoMatchOption = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest DBLP: persons (pid, ORCID, affiliations) and works, streamed in flat memory.

    A file cut in the middle keeps what was read before the cut; run the same
    command again (after fetching the file again) to resume there.
    """
    s = settings(config, db=db, quiet=quiet or None)
    with open_store(s) as store:
        report = dblp_xml(
            store,
            path,
            dtd=dtd,
            force=force,
            match=not no_match,
            batch_size=s.batch_size,
            progress=progress_for(s),
        )
    print_report(report, as_json)


@app.command("arxiv-oai")
@handle_errors
def arxiv_oai_cmd(
    set_: Annotated[
        str, typer.Option("--set", help="OAI set: cs, math, physics:hep-th, ...")
    ] = "cs",
    from_date: Annotated[
        str | None, typer.Option("--from", help="Records changed from this date (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="... up to this date (YYYY-MM-DD).")
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", help="Metadata format: arXivRaw or arXiv.")
    ] = "arXivRaw",
    base_url: Annotated[
        str, typer.Option("--base-url", help="The OAI-PMH endpoint.")
    ] = "https://oaipmh.arxiv.org/oai",
    delay: Annotated[
        float, typer.Option("--delay", help="Seconds between requests (arXiv asks for 3+).")
    ] = 3.0,
    force: ForceOption = False,
    no_match: NoMatchOption = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Harvest arXiv by OAI-PMH, page by page (resumptionToken); rerun to resume."""
    s = settings(config, db=db, quiet=quiet or None)
    with open_store(s) as store:
        report = arxiv_oai(
            store,
            set=set_,
            from_date=from_date,
            until=until,
            metadata_prefix=format_,
            base_url=base_url,
            delay=delay,
            retries=s.http_retries,
            force=force,
            match=not no_match,
            batch_size=s.batch_size,
            progress=progress_for(s),
        )
    print_report(report, as_json)
    if report.message:
        typer.echo(report.message, err=True)


@app.command("arxiv-snapshot")
@handle_errors
def arxiv_snapshot_cmd(
    path: Annotated[str, typer.Argument(help="arxiv-metadata-oai-snapshot.json (Kaggle).")],
    force: ForceOption = False,
    no_match: NoMatchOption = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest the Kaggle arXiv metadata snapshot (JSON Lines, gzipped or not)."""
    ingest_and_report(
        arxiv_snapshot,
        path,
        force=force,
        match=not no_match,
        db=db,
        quiet=quiet,
        config=config,
        as_json=as_json,
    )


@app.command("s2")
@handle_errors
def s2_cmd(
    folder: Annotated[
        str, typer.Argument(help="Folder with papers/ and participants/ (or authors/) JSON files.")
    ],
    force: ForceOption = False,
    no_match: NoMatchOption = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest Semantic Scholar paper and author records."""
    ingest_and_report(
        s2_files,
        folder,
        force=force,
        match=not no_match,
        db=db,
        quiet=quiet,
        config=config,
        as_json=as_json,
    )


@app.command("openreview-archives")
@handle_errors
def openreview_cmd(
    folder: Annotated[
        str, typer.Argument(help="Folder with archives/~<id>.jsonl and/or submissions.json.")
    ],
    force: ForceOption = False,
    no_match: NoMatchOption = False,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest OpenReview expertise archives (each person's papers) and submissions."""
    ingest_and_report(
        openreview_archives,
        folder,
        force=force,
        match=not no_match,
        db=db,
        quiet=quiet,
        config=config,
        as_json=as_json,
    )
