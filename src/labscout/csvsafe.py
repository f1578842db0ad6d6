"""CSV cells that a spreadsheet will not run as formulas (CSV injection).

A cell from the data that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is what Excel, LibreOffice and Google Sheets take for a formula
(``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3``). Every CSV labscout writes goes
through :func:`safe_cell`, which puts a ``'`` before such a cell (OWASP's
advice): the spreadsheet shows the text, and ``'`` is easy to strip again.
Numbers, and text that is only a number (``-0.25``), are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value  # a plain number such as -0.25


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A ``csv.writer`` row with every cell through :func:`safe_cell`."""
    return [safe_cell(v) for v in values]


def safe_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``csv.DictWriter`` row with every cell through :func:`safe_cell`."""
    return {k: safe_cell(v) for k, v in row.items()}
