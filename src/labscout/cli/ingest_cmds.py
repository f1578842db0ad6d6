"""`labscout ingest ...`: one sub-command per source, all registered from :data:`COMMANDS`.

Each row names the library function, the command's own arguments and
options (named as the function's keyword arguments), and the help. Every
command also takes --force, --db, --quiet, --config and --format, and those
that merge works already stored take --no-match; one generic command body
opens the store, calls the function and prints its report.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer

from labscout.cli import common
from labscout.ingest import (
    IngestReport,
    arxiv_oai,
    arxiv_snapshot,
    dblp_xml,
    openalex_api,
    openalex_files,
    openalex_snapshot,
    openreview_archives,
    paperlists,
    s2_files,
    table,
)
from labscout.ingest.paperlists import PaperListReport
from labscout.settings import Settings

app = typer.Typer(
    help="Read records from a source into the store.", no_args_is_help=True, rich_markup_mode=None
)

NoMatchOption = Annotated[
    bool,
    typer.Option(
        "--no-match",
        help="Do not merge works already in the store (by DOI, arXiv id, title + year).",
    ),
]


def print_report(report: IngestReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(report.summary())
        for r in report.rejects[:10]:
            where = f"{r.location}:{r.line}" if r.line else r.location
            typer.echo(f"  rejected {where}: {r.reason}", err=True)
        if report.rejected > 10:
            typer.echo(f"  ... and {report.rejected - 10} more (see `labscout stats`)", err=True)
        if isinstance(report, PaperListReport):
            for d in report.dropped_items[:5]:
                where = f"{d.location}:{d.line}" if d.line else d.location
                typer.echo(f"  kept without affiliations {where}: {d.reason}", err=True)
            if report.dropped > 5:
                more = report.dropped - 5
                typer.echo(f"  ... and {more} more (use --format json for all)", err=True)
    if report.status == "finished" and report.message:
        typer.echo(report.message, err=True)


def _batch(s: Settings) -> dict[str, Any]:
    return {"batch_size": s.batch_size}


@dataclass(frozen=True)
class IngestCommand:
    """One `labscout ingest NAME` command (see the module's doc)."""

    name: str
    fn: Callable[..., IngestReport]
    help: str
    params: dict[str, Any]  # keyword argument of ``fn`` -> Annotated type (and default)
    force_help: str = "Read again what an earlier run finished."
    match: bool = True  # takes --no-match
    from_settings: Callable[[Settings], dict[str, Any]] = _batch  # more keyword arguments
    settings_flags: dict[str, str] = field(default_factory=dict)  # option -> Settings field
    inverted: dict[str, str] = field(default_factory=dict)  # flag -> the argument it negates


def _signature(spec: IngestCommand) -> inspect.Signature:
    force = Annotated[bool, typer.Option("--force", help=spec.force_help)]
    shared: dict[str, Any] = {"force": (force, False)}
    if spec.match:
        shared["no_match"] = (NoMatchOption, False)
    shared |= {
        "db": (common.DbOption, None),
        "quiet": (common.QuietOption, False),
        "config": (common.ConfigOption, None),
        "fmt": (common.ReportFormatOption, "text"),
        "as_json": (common.JsonAliasOption, False),
    }
    params = []
    for name, value in {**spec.params, **shared}.items():
        annotation, default = (
            value if isinstance(value, tuple) else (value, inspect.Parameter.empty)
        )
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        params.append(inspect.Parameter(name, kind, default=default, annotation=annotation))
    return inspect.Signature(params)


def _command(spec: IngestCommand) -> Callable[..., None]:
    """The command function for ``spec``: its signature is what typer reads."""

    def command(**kw: Any) -> None:
        fmt, as_json = kw.pop("fmt"), kw.pop("as_json")
        if "metadata_prefix" in spec.params and fmt not in ("text", "json"):
            # arxiv-oai's --format was the OAI metadata format before 0.2 (until 0.3)
            kw["metadata_prefix"], fmt = fmt, "text"
        as_json = common.report_format(fmt, as_json)
        db, quiet, config = kw.pop("db"), kw.pop("quiet"), kw.pop("config")
        flags = {spec.settings_flags[k]: kw.pop(k) for k in spec.settings_flags}
        if spec.match:
            kw["match"] = not kw.pop("no_match")
        for flag, arg in spec.inverted.items():
            kw[arg] = not kw.pop(flag)
        s = common.settings(config, db=db, quiet=quiet or None, **flags)
        with common.open_store(s) as store:
            progress = common.progress_for(s)
            report = spec.fn(store, **kw, **spec.from_settings(s), progress=progress)
        print_report(report, as_json)

    sig = _signature(spec)
    command.__signature__ = sig  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in sig.parameters.values()}
    command.__doc__ = spec.help
    command.__name__ = command.__qualname__ = spec.name.replace("-", "_") + "_cmd"
    return command


def _opt(flag: str, help: str, type_: Any = str | None, default: Any = None) -> tuple:
    return Annotated[type_, typer.Option(flag, help=help)], default


def _arg(help: str, type_: Any = str) -> Any:
    return Annotated[type_, typer.Argument(help=help)]


COMMANDS: list[IngestCommand] = [
    IngestCommand(
        "openalex-files",
        openalex_files,
        "Ingest OpenAlex works, authors, institutions and merged ids from files.",
        {"paths": _arg("JSON, JSON Lines or .gz files, or folders (snapshot layout).", list[str])},
        force_help="Read files again that an earlier run finished.",
        match=False,
    ),
    IngestCommand(
        "openalex-api",
        openalex_api,
        "Ingest works matching a search or filter from the OpenAlex API, with their people.\n\n"
        "An interrupted run (daily budget spent, network fault) resumes when run again\n"
        "with the same --search/--filter/--since/--max-works.",
        {
            "search": _opt("--search", 'Full-text search, e.g. "graph neural networks".'),
            "filter": _opt(
                "--filter",
                "OpenAlex filter syntax, passed through (e.g. type:article,is_oa:true).",
            ),
            "since": _opt("--since", "Only works published from this year on.", int | None),
            "max_works": _opt("--max-works", "Stop after this many works.", int | None),
            "api_key": (
                Annotated[
                    str | None,
                    typer.Option(
                        "--api-key",
                        help="OpenAlex API key (env OPENALEX_API_KEY).",
                        show_default=False,
                    ),
                ],
                None,
            ),
            "mailto": _opt(
                "--mailto",
                "Your e-mail, for OpenAlex's polite pool (env LABSCOUT_OPENALEX_MAILTO).",
            ),
            "works_only": _opt(
                "--works-only",
                "Do not fetch the full author and institution records.",
                bool,
                False,
            ),
        },
        force_help="Fetch again a query that an earlier run finished.",
        match=False,
        from_settings=lambda s: {"settings": s},
        settings_flags={"api_key": "openalex_api_key", "mailto": "openalex_mailto"},
        inverted={"works_only": "with_entities"},
    ),
    IngestCommand(
        "openalex-snapshot",
        openalex_snapshot,
        "Ingest the works of an OpenAlex snapshot with DuckDB's JSON reader, filtered while "
        "reading.\n\nReads the partitions the manifest of data/works lists, several at once;\n"
        "each finished partition is recorded, so an interrupted run resumes at the\n"
        "next one when run again with the same filters.",
        {
            "root": _arg("The snapshot folder: the one holding data/works/ (and merged_ids/)."),
            "fields": _opt(
                "--field",
                "Keep works with a topic in this field, e.g. 17 (repeatable).",
                list[str] | None,
            ),
            "subfields": _opt(
                "--subfield",
                "Keep works with a topic in this subfield, e.g. 1702 (repeatable).",
                list[str] | None,
            ),
            "topics": _opt(
                "--topic", "Keep works with this topic, e.g. T10320 (repeatable).", list[str] | None
            ),
            "since": _opt("--since", "Keep works published from this year on.", int | None),
            "partitions_at_once": _opt(
                "--at-once",
                "Partitions read in parallel and written together (memory grows with it) "
                "[default: DuckDB's thread count].",
                int | None,
            ),
        },
        force_help="Read again partitions an earlier run finished.",
        match=False,
        from_settings=lambda s: {},
    ),
    IngestCommand(
        "dblp",
        dblp_xml,
        "Ingest DBLP: persons (pid, ORCID, affiliations) and works, streamed in flat memory.\n\n"
        "A file cut in the middle keeps what was read before the cut; run the same\n"
        "command again (after fetching the file again) to resume there.",
        {
            "path": _arg("dblp.xml or dblp.xml.gz (or a part of one)."),
            "dtd": _opt("--dtd", "dblp.dtd [default: the one beside the XML file]."),
        },
    ),
    IngestCommand(
        "arxiv-oai",
        arxiv_oai,
        "Harvest arXiv by OAI-PMH, page by page (resumptionToken); rerun to resume.",
        {
            "set": _opt("--set", "OAI set: cs, math, physics:hep-th, ...", str, "cs"),
            "from_date": _opt("--from", "Records changed from this date (YYYY-MM-DD)."),
            "until": _opt("--until", "... up to this date (YYYY-MM-DD)."),
            "metadata_prefix": _opt(
                "--metadata-prefix", "OAI metadata format: arXivRaw or arXiv.", str, "arXivRaw"
            ),
            "base_url": _opt(
                "--base-url", "The OAI-PMH endpoint.", str, "https://oaipmh.arxiv.org/oai"
            ),
            "delay": _opt("--delay", "Seconds between requests (arXiv asks for 3+).", float, 3.0),
        },
        from_settings=lambda s: {
            "batch_size": s.batch_size,
            "retries": s.http_retries,
            "timeout": s.http_timeout,
        },
    ),
    IngestCommand(
        "arxiv-snapshot",
        arxiv_snapshot,
        "Ingest the Kaggle arXiv metadata snapshot (JSON Lines, gzipped or not).",
        {"path": _arg("arxiv-metadata-oai-snapshot.json (Kaggle).")},
    ),
    IngestCommand(
        "s2",
        s2_files,
        "Ingest Semantic Scholar paper and author records.",
        {"folder": _arg("Folder with papers/ and participants/ (or authors/) JSON files.")},
    ),
    IngestCommand(
        "openreview-archives",
        openreview_archives,
        "Ingest OpenReview expertise archives (each person's papers) and submissions.",
        {"folder": _arg("Folder with archives/~<id>.jsonl and/or submissions.json.")},
    ),
    IngestCommand(
        "paperlists",
        paperlists,
        "Ingest conference paper lists in the Paper Copilot format (venue and year from file "
        "names).\n\nPapers without a title or authors are rejected; papers whose affiliations\n"
        "do not line up with their authors are kept without them. Both are reported\n"
        "with file and position. Institutions get a country code and a guessed type\n"
        "(see docs/sources.md).",
        {
            "paths": _arg(
                "Paper Copilot lists (.json, .json.gz; e.g. nips/nips2018.json.gz) or folders.",
                list[str],
            )
        },
        force_help="Read files again that an earlier run finished.",
    ),
    IngestCommand(
        "table",
        table,
        "Ingest any table of papers (a committee's export, a lab's list) through a column "
        "mapping.\n\nConsecutive rows with the same title, year and venue are one paper (tables\n"
        "with one row per author). A mapped column the file lacks is an error that\nnames it.",
        {
            "path": _arg("A .csv, .tsv or .jsonl file (optionally .gz)."),
            "mapping": Annotated[
                str,
                typer.Option(
                    "--map",
                    help=(
                        "Columns for the fields: title and authors (required); abstract, year, "
                        "venue, doi, affiliations, id (optional). E.g. --map title=Title,"
                        "authors=Author,affiliations=Affiliation,year=Year,venue=Conference"
                    ),
                ),
            ],
            "author_sep": _opt(
                "--author-sep",
                "Separator between authors (and their affiliations) in one cell.",
                str,
                ";",
            ),
        },
        force_help="Read files again that an earlier run finished.",
    ),
]

for _spec in COMMANDS:
    app.command(_spec.name)(common.handle_errors(_command(_spec)))
