"""The layering rules of docs/architecture.md, checked on the source tree."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "labscout"

# a DuckDB connection reached through the store: `store.con`, `self.store.con.execute`,
# `x.con` at the end of a line ... (`store.conflict_rows` is a method, not the connection)
_CON = re.compile(r"\.con\b")


def test_only_the_store_touches_the_connection() -> None:
    """SQL lives in src/labscout/store/: everything else calls the store's typed methods."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if rel.parts[0] == "store":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if _CON.search(code):
                offenders.append(f"src/labscout/{rel}:{n}: {line.strip()}")
    assert not offenders, "the store's connection used outside store/:\n" + "\n".join(offenders)


def test_the_check_finds_what_it_looks_for() -> None:
    hits = [
        "rows = store.con.execute('SELECT 1')",
        "con = self.store.con",
        "store.con .execute(sql)",
    ]
    misses = ["found = store.conflict_rows(revs)", "from labscout.config import x"]
    assert all(_CON.search(h) for h in hits)
    assert not any(_CON.search(m) for m in misses)
