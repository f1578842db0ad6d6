"""Data in the CLI's rich tables is text, never console markup: a title holding
``[bold]`` or ``[link=...]`` prints as it is in `find` and `read` (and the ladder)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from labscout.cli import app
from labscout.index.build import build_index
from labscout.records import Author, Authorship, Institution, Work
from labscout.store import Batch, Store

TITLE = "[bold]x[/bold] and [link=javascript:alert(1)]y[/link]"
NAME = "Ada [red]Lovelace[/red] :fire:"
PLACE = "[i]Institute[/i] of [link=https://evil.example]Things[/link]"
WIDE = {"COLUMNS": "400"}  # no cell wraps, so each one is on one line


def _w(wid: str, title: str, year: int, abstract: str, type_: str = "article") -> Work:
    return Work(
        wid,
        title,
        abstract=abstract,
        publication_year=year,
        type=type_,
        authorships=(Authorship("A1", "first", 0, institution_ids=("I1",)),),
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("markup") / "m.duckdb"
    works = [
        _w("W1", TITLE, 2023, "A review of Bayesian optimization methods.", "review"),
        _w(
            "W2",
            "Bayesian optimization with Gaussian processes",
            2022,
            "Bayesian optimization of black-box functions.",
        ),  # fmt: skip
        _w("W3", "Crop yield forecasting from satellite images", 2021, "Crops from space."),
    ]
    with Store(path) as store:
        store.write(
            Batch(
                works=works,
                authors=[Author("A1", NAME)],
                institutions=[Institution("I1", PLACE, country_code="DE", type="education")],
            )
        )
        build_index(store)
    return str(path)


def _run(*args: str) -> str:
    got = CliRunner().invoke(app, list(args), env=WIDE)
    assert got.exit_code == 0, got.output
    return got.output


def test_find_table_prints_data_as_written(db: str) -> None:
    out = _run("find", "Bayesian optimization review", "--db", db)
    assert TITLE in out and NAME in out and PLACE in out


def test_read_table_prints_data_as_written(db: str) -> None:
    out = _run("read", "Bayesian optimization review", "--db", db)
    assert TITLE in out


def test_ladder_table_prints_data_as_written(db: str) -> None:
    out = _run("ladder", "Bayesian optimization review", "--db", db)
    assert PLACE in out and NAME in out
