"""Commands for committees and models: `affinity` (reviewer-paper scores), `embedders`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from labscout.cli.common import (
    ConfigOption,
    JsonAliasOption,
    QuietOption,
    ReportFormatOption,
    handle_errors,
    progress_for,
    report_format,
    settings,
)
from labscout.errors import InputError


def register(app: typer.Typer) -> None:
    app.command("affinity")(affinity)
    app.command("embedders")(embedders)


CacheDirOption = Annotated[
    str | None,
    typer.Option(
        "--cache-dir",
        help="Folder for the embedding cache and distilled models "
        "(env LABSCOUT_CACHE_DIR; default ~/.cache/labscout).",
    ),
]


@handle_errors
def affinity(
    submissions: Annotated[
        str,
        typer.Option(
            "--submissions",
            help='submissions.json: {id: {"id", "content": {"title", "abstract"}}}.',
        ),
    ],
    archives: Annotated[
        str,
        typer.Option("--archives", help="Folder of ~<reviewer>.jsonl files, one paper a line."),
    ],
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="CSV to write: paper_id,reviewer_id,score (required)."),
    ] = None,
    old_out: Annotated[
        str | None, typer.Option("--out", hidden=True, help="Same as --output (until 0.3).")
    ] = None,
    embedder: Annotated[
        str | None,
        typer.Option(
            "--embedder",
            help="Dense embedder (see `labscout embedders`); 'none' for TF-IDF only "
            "[setting embedder].",
        ),
    ] = None,
    top_k: Annotated[
        int | None,
        typer.Option("--top-k", help="Mean of the k best profile-paper matches (default 3)."),
    ] = None,
    lexical_weight: Annotated[
        float | None,
        typer.Option(
            "--lexical-weight",
            help="Weight of the TF-IDF score (stemmed words; from 400 texts on, only words "
            "in 2+ texts and in at most 10% of them; centred on each paper's mean over the "
            "reviewers) in the fusion, 0..1 (default 0.4).",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the embedding cache.")
    ] = False,
    cache_dir: CacheDirOption = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Score every submission against every reviewer's papers (OpenReview expertise files).

    Writes one row per (paper, reviewer) pair; reviewer ids are the archive
    file stems, with the `~`. Missing abstracts, empty archives and duplicate
    ids are reported as warnings on stderr.
    """
    out = output or old_out
    if not out:
        raise InputError("affinity needs a file to write", hint="Add -o scores.csv.")
    from labscout.index.cache import default_cache_dir
    from labscout.rank.affinity import LEXICAL_WEIGHT, TOP_K, affinity_from_files, write_scores_csv

    s = settings(config, embedder=embedder, quiet=quiet or None)
    name = None if s.embedder.lower() == "none" else s.embedder
    result = affinity_from_files(
        submissions,
        archives,
        name,
        top_k=TOP_K if top_k is None else top_k,
        lexical_weight=LEXICAL_WEIGHT if lexical_weight is None else lexical_weight,
        cache_dir=cache_dir or default_cache_dir(),
        use_cache=not no_cache,
        progress=progress_for(s),
    )
    for line in result.warnings:
        typer.echo(f"Warning: {line}", err=True)
    n = write_scores_csv(result, out)
    typer.echo(
        f"wrote {n:,} scores ({len(result.paper_ids):,} papers x "
        f"{len(result.reviewer_ids):,} reviewers, {result.embedder}) to {out}"
        + (f"; {len(result.warnings)} warnings" if result.warnings else ""),
        err=True,
    )


@handle_errors
def embedders(
    fmt: ReportFormatOption = "text",
    as_json: JsonAliasOption = False,
    config: ConfigOption = None,
) -> None:
    """List the embedders by name, with where their weights come from (loads no model)."""
    from labscout.index.embedders import catalogue, resolve

    s = settings(config)
    minilm = resolve("minilm")  # words when torch is not installed
    infos = catalogue()
    if report_format(fmt, as_json):
        rows = [{"name": i.name, "dim": i.dim, "summary": i.summary} for i in infos]
        payload = {"setting": s.embedder, "minilm": minilm, "embedders": rows}
        typer.echo(json.dumps(payload, indent=2))
        return
    typer.echo(f"setting embedder = {s.embedder!r}; 'minilm' means {minilm} (*)")
    width = max(len(i.name) for i in infos)
    for i in infos:
        mark = "*" if i.name == minilm else " "
        dim = str(i.dim) if i.dim else "?"
        typer.echo(f"{mark} {i.name:<{width}}  {dim:>4}  {i.summary}")
