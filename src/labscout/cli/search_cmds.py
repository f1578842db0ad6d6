"""`labscout index` and `labscout find`: build the search indexes, rank researchers."""

from __future__ import annotations

import csv
import json
import sys
from typing import Annotated

import typer

from labscout.cli.common import (
    ConfigOption,
    DbOption,
    JsonAliasOption,
    QuietOption,
    ReindexOption,
    ReportFormatOption,
    ask,
    check_format,
    echo_json,
    handle_errors,
    lexical_hint,
    open_store,
    plain_console,
    plain_table,
    progress_for,
    report_format,
    settings,
    short_title,
)
from labscout.cli.ladder_cmds import (
    ActiveOption,
    CountryOption,
    ExcludeCoauthorsOption,
    LikeBibOption,
    LikeOption,
    MineOption,
    MineOrcidOption,
    RegionOption,
    SinceOption,
    TypeOption,
)
from labscout.csvsafe import safe_dict
from labscout.errors import InputError
from labscout.results import FindResult

FORMATS = ("table", "json", "csv")


def register(app: typer.Typer) -> None:
    app.command("index")(index_cmd)
    app.command("find")(find_cmd)


@handle_errors
def index_cmd(
    db: DbOption = None,
    embedder: Annotated[
        str | None,
        typer.Option(
            "--embedder",
            help="Dense embedder (`labscout embedders` lists them) [setting embedder].",
        ),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Rebuild from nothing instead of adding new works.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Do not use the shared embedding cache.")
    ] = False,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="plain: embed in this process; ray: embed with Ray Data (pip install "
            "'labscout[scale]'), local or on a cluster.",
        ),
    ] = "plain",
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address", help="Ray cluster to join (e.g. auto) [default: a local Ray]."
        ),
    ] = None,
    vectors: Annotated[
        str,
        typer.Option(
            "--vectors",
            help="Vector search: auto (exact below 50,000 works, usearch HNSW above), "
            "exact or usearch.",
        ),
    ] = "auto",
    quantize: Annotated[
        str,
        typer.Option(
            "--quantize",
            help="Scalars of the usearch graph: f32, f16 or i8 (i8: about 530 bytes a work, "
            "10M works in 5 GiB; see docs/benchmarks.md, Scale).",
        ),
    ] = "f32",
    quiet: QuietOption = False,
    config: ConfigOption = None,
    fmt: ReportFormatOption = "text",
    as_json: JsonAliasOption = False,
) -> None:
    """Build or update the BM25 and embedding indexes of the store (only new works are embedded)."""
    from labscout.index.build import build_index

    s = settings(config, db=db, quiet=quiet or None, embedder=embedder)
    with open_store(s, read_only=True) as store:
        if engine not in ("plain", "ray"):
            raise InputError(f"unknown engine {engine!r}", hint="Use --engine plain or ray.")
        if vectors not in ("auto", "exact", "usearch"):
            raise InputError(
                f"unknown vector search {vectors!r}", hint="Use --vectors auto, exact or usearch."
            )
        if quantize not in ("f32", "f16", "i8"):
            raise InputError(f"unknown scalar type {quantize!r}", hint="Use f32, f16 or i8.")
        vector_args = {"vector_kind": vectors, "usearch_dtype": quantize}
        if engine == "ray":
            from labscout.index.ray_engine import build_index_ray

            report, ray_report = build_index_ray(
                store,
                embedder=embedder,
                default_embedder=s.embedder,
                address=ray_address,
                full=full,
                cache=not no_cache,
                progress=progress_for(s),
                **vector_args,
            )
            typer.echo(ray_report.summary(), err=True)
        else:
            report = build_index(
                store,
                embedder=embedder,
                default_embedder=s.embedder,
                full=full,
                cache=not no_cache,
                progress=progress_for(s),
                **vector_args,
            )
    if report_format(fmt, as_json):
        from dataclasses import asdict

        typer.echo(json.dumps(asdict(report), indent=2))
    else:
        typer.echo(report.summary())
    lexical_hint(report.embedder)


@handle_errors
def find_cmd(
    text: Annotated[
        str | None, typer.Argument(help="What you want to work on, in your own words.")
    ] = None,
    like: LikeOption = None,
    like_bib: LikeBibOption = None,
    mine: MineOption = None,
    mine_orcid: MineOrcidOption = None,
    exclude_coauthors: ExcludeCoauthorsOption = False,
    top: Annotated[
        int | None, typer.Option("--top", "-n", help="How many researchers [default: 10].")
    ] = None,
    since: SinceOption = None,
    country: CountryOption = None,
    region: RegionOption = None,
    type_: TypeOption = None,
    active_since: ActiveOption = None,
    hosts_interns: Annotated[
        bool,
        typer.Option(
            "--hosts-interns",
            help="Keep only researchers who host interns (at a company, with early-career "
            "first authors from a university; docs/ladder.md) and show the signal.",
        ),
    ] = False,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Output: table, json or csv.")
    ] = "table",
    fusion: Annotated[
        str | None,
        typer.Option(
            "--fusion", help="weighted (default), rrf, lexical or dense (see docs/scoring.md)."
        ),
    ] = None,
    reindex: ReindexOption = False,
    reach_from: Annotated[
        list[str] | None,
        typer.Option(
            "--reach-from",
            help="Someone you know (author id, ORCID, profile URL or exact name; "
            "repeatable): show the co-author path from them to each researcher.",
        ),
    ] = None,
    db: DbOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
) -> None:
    """Rank researchers who work on your topic, with the papers that justify each rank."""
    from labscout.query import Query
    from labscout.rank.params import FUSIONS, RankParams

    check_format(fmt, FORMATS)
    if fusion is not None and fusion not in FUSIONS:
        raise InputError(f"unknown fusion '{fusion}'", hint=f"Use one of: {', '.join(FUSIONS)}.")
    query = Query.from_cli(
        text, like, like_bib, mine, mine_orcid, exclude_coauthors, since,
        country, region, type_, active_since, top=top, reach_from=reach_from,
        hosts_interns=hosts_interns,
    )  # fmt: skip
    params = RankParams() if fusion is None else RankParams(fusion=fusion)
    result = ask(lambda ls: ls.find(query, params), db, quiet, config, reindex)
    lexical_hint(str(result.index.get("embedder", "")))
    if fmt == "json":
        echo_json(result)
    elif fmt == "csv":
        rows = result.rows()
        if rows:
            w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(safe_dict(r) for r in rows)  # no formulas from the data
    else:
        print_table(result)


def reach_line(paths: list[dict]) -> str:
    """One line for the best co-author path to a researcher (``find --reach-from``)."""
    if not paths:
        return "reach: no co-author path of up to 4 steps"
    best = paths[0]
    chain = " -> ".join(p["display_name"] or p["id"] for p in best["people"])
    return f"reach ({best['hops']} step{'s' if best['hops'] != 1 else ''}): {chain}"


def print_table(result: FindResult) -> None:
    console = plain_console()  # a title's "[bold]" or "[link=...]" prints as it is
    table = plain_table(
        "#", "researcher", "score", "institution (last known)",
        "best evidence (year, position)", right=("#", "score"),
    )  # fmt: skip
    for m in result.matches:
        ev = "\n".join(
            f"{short_title(e.work.title, 70)} ({e.work.year or '?'}, {e.position}"
            f"{', corresp.' if e.is_corresponding else ''})"
            for e in m.evidence
        )
        if m.author_id in result.reach:
            ev += "\n" + reach_line(result.reach[m.author_id])
        if m.author_id in result.interns:
            ev += "\ninterns: " + result.interns[m.author_id]["summary"]
        table.add_row(
            str(m.rank),
            f"{m.name}\n{m.author_id}",
            f"{m.score:.3f}\n{m.n_works} works",
            m.institution or "",
            ev,
        )
    console.print(table)
    if result.unmatched:
        console.print(
            f"{len(result.unmatched)} BibTeX entries matched no stored work:", style="dim"
        )
        for u in result.unmatched[:10]:
            console.print(f"  {u}", style="dim")
    if not result.matches:
        console.print("No researcher matched; try other words, or a lower --since.")
