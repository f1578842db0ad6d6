"""The layering rules of docs/architecture.md, checked on the source tree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx

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


# -- import cycles ------------------------------------------------------------------

# Cycles through imports made inside functions (loaded on first call, so they do not
# fail at import time but still tie two modules together). Each is a known debt of
# issue 14; the test fails when one goes (remove it here) or a new one appears.
KNOWN_LOCAL_CYCLES: set[frozenset[str]] = set()


def _modules(root: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package) for every module below ``root``."""
    out = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_pkg else parts)] = (path, is_pkg)
    return out


def _type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def _imports(name: str, path: Path, is_pkg: bool, mods: dict, in_functions: bool) -> set[str]:
    """The package's modules that ``name`` imports when it runs (not under TYPE_CHECKING);
    with ``in_functions``, also those imported inside functions."""
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If) and _type_checking(node):
                visit(node.orelse)
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if in_functions:
                    visit(node.body)
                continue
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name in mods)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    pkg = name if is_pkg else name.rsplit(".", 1)[0]
                    pkg = pkg.rsplit(".", node.level - 1)[0] if node.level > 1 else pkg
                    base = f"{pkg}.{base}" if base else pkg
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    if sub in mods:
                        found.add(sub)
                    elif base in mods:
                        found.add(base)
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list) and all(isinstance(n, ast.AST) for n in inner):
                    visit(inner)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    found.discard(name)
    return found


def _cycles(root: Path, in_functions: bool) -> set[frozenset[str]]:
    """The groups of modules below ``root`` that import each other, directly or not."""
    mods = _modules(root)
    graph = nx.DiGraph()
    for name, (path, is_pkg) in mods.items():
        graph.add_node(name)
        graph.add_edges_from((name, m) for m in _imports(name, path, is_pkg, mods, in_functions))
    return {frozenset(c) for c in nx.strongly_connected_components(graph) if len(c) > 1}


def test_no_import_cycle_at_import_time() -> None:
    """No module of src/labscout needs, while it is being imported, one that needs it."""
    assert _cycles(SRC, in_functions=False) == set()


def test_no_new_import_cycle_behind_function_imports() -> None:
    """Imports inside functions hide no cycle beyond the known ones."""
    assert _cycles(SRC, in_functions=True) == KNOWN_LOCAL_CYCLES


def test_the_cycle_check_finds_cycles(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from pkg.sub import c\n")
    (pkg / "a.py").write_text("from pkg import b\n")
    (pkg / "b.py").write_text("from typing import TYPE_CHECKING\nimport pkg.sub.c\n"
                              "if TYPE_CHECKING:\n    import pkg.d\n")  # fmt: skip
    (pkg / "sub" / "c.py").write_text("from ..a import x\n")
    (pkg / "d.py").write_text("from pkg import b\n\ndef f():\n    from . import e\n")
    (pkg / "e.py").write_text("import pkg.d\n")
    a_b_c = frozenset({"pkg.a", "pkg.b", "pkg.sub.c"})
    assert _cycles(pkg, in_functions=False) == {a_b_c}
    assert _cycles(pkg, in_functions=True) == {a_b_c, frozenset({"pkg.d", "pkg.e"})}
