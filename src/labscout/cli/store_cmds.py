"""Commands about the store as a whole: stats, demo, settings."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from labscout.cli.common import (
    ConfigOption,
    DbOption,
    JsonAliasOption,
    QuietOption,
    ReportFormatOption,
    handle_errors,
    lexical_hint,
    open_store,
    progress_for,
    report_format,
    settings,
)
from labscout.settings import Settings


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)
    app.command("demo")(demo)
    app.command("settings")(settings_cmd)


@handle_errors
def stats(
    db: DbOption = None,
    config: ConfigOption = None,
    runs: Annotated[int, typer.Option("--runs", help="How many recent ingest runs to list.")] = 5,
    fmt: ReportFormatOption = "text",
    as_json: JsonAliasOption = False,
) -> None:
    """Counts of everything in the store and the last ingest runs."""
    s = settings(config, db=db)
    with open_store(s, read_only=True) as store:
        counts = store.counts()
        last = store.last_runs(runs)
    if report_format(fmt, as_json):
        typer.echo(json.dumps({"db": s.db, "counts": counts, "runs": last}, indent=2, default=str))
        return
    typer.echo(f"store: {s.db}")
    for name, n in counts.items():
        typer.echo(f"  {name:<20} {n:>12,}")
    if last:
        typer.echo("recent ingest runs:")
    for r in last:
        typer.echo(
            f"  #{r['run_id']} {r['source']:<18} {r['status']:<9} read {r['n_read']:,} "
            f"+{r['n_inserted']:,} new, {r['n_updated']:,} updated, {r['n_rejected']:,} rejected"
            + (f" - {r['message']}" if r.get("message") else "")
        )


@handle_errors
def demo(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Where to build the demo store [default: labscout-demo.duckdb]."),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Build a store from the bundled OpenAlex demo corpus and show a first result."""
    from labscout.demo import run_demo

    # `labscout --db X demo` builds X; LABSCOUT_DB alone never points the demo at a real store
    db = db or (ctx.find_root().obj or {}).get("db") or "labscout-demo.duckdb"
    s = settings(None, db=db, quiet=quiet or None)
    with open_store(s) as store:
        for line in run_demo(store, progress=progress_for(s)):
            typer.echo(line)
    from labscout.index.embedders import resolve

    lexical_hint(resolve(s.embedder))


@handle_errors
def settings_cmd(config: ConfigOption = None) -> None:
    """List every setting with its value now, its env variable and its help."""
    s = settings(config)
    for name in Settings.names():
        value = getattr(s, name)
        if name.endswith("api_key") and value:
            value = "***"
        typer.echo(f"{name} = {value!r}  [LABSCOUT_{name.upper()}] {Settings.help_for(name)}")
