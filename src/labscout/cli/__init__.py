"""The `labscout` command line: each command is a thin call into one library function.

Each module under ``labscout.cli`` adds its own commands; the list below is
the only place they are wired in.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from labscout.cli import (  # noqa: F401 (adds ingest commands)
    affinity_cmds,
    committee_cmds,
    common,
    graph_cmds,
    identity_cmds,
    ingest_cmds,
    ladder_cmds,
    plan_cmds,
    scout_cmds,
    search_cmds,
    store_cmds,
    topics_cmds,
    web_cmds,
)

app = typer.Typer(
    name="labscout",
    rich_markup_mode=None,  # help texts are plain: "[default: ...]" must print as written
    help=(
        "Find who works on exactly your topic, where they are, and how to reach them, "
        "from open scholarly data (OpenAlex, DBLP, arXiv, Semantic Scholar)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"labscout {version('labscout')}")
        raise typer.Exit()


@app.callback()
def _global_options(
    ctx: typer.Context,
    db: common.DbOption = None,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """`labscout --db X COMMAND ...`: the store for every command (a command's own --db wins)."""
    ctx.obj = {"db": db}
    if db is not None:
        os.environ["LABSCOUT_DB"] = db  # read by Settings.load, below any command's --db


# ingest sub-commands: registered from the table ingest_cmds.COMMANDS
app.add_typer(ingest_cmds.app, name="ingest")
store_cmds.register(app)
search_cmds.register(app)
app.add_typer(identity_cmds.app, name="identities")
graph_cmds.register(app)
affinity_cmds.register(app)
committee_cmds.register(app)
ladder_cmds.register(app)
topics_cmds.register(app)
web_cmds.register(app)
plan_cmds.register(app)
scout_cmds.register(app)


def main() -> None:
    app()
