"""Reading committee inputs: submissions, reviewers, scores and conflicts files.

Formats (bad rows are counted as :class:`Rejected` and skipped, never fatal):

- submissions: JSON, either a list of ``{"id": "P1", "authors": ["A1", ...]}``
  or an object ``{"P1": ["A1", ...]}`` / ``{"P1": {"authors": [...]}}``; or
  CSV with a header ``paper_id,author_id`` and one row per author.
- reviewers: one author id a line (``#`` starts a comment), or a CSV whose
  header has a ``reviewer_id`` (or ``author_id``) column.
- scores: CSV ``paper_id,reviewer_id,score`` with that header (what
  ``labscout affinity`` writes).
- conflicts: CSV with ``paper_id`` and ``reviewer_id`` columns (what
  ``labscout conflicts`` writes; other columns are ignored).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

from labscout.errors import InputError
from labscout.records import Rejected
from labscout.sources.jsonfiles import read_text_file


def _open(path: str | Path) -> Path:
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p} is a folder, not a file")
    if not p.is_file():
        raise InputError(f"file not found: {p}")
    return p


def _csv_rows(path: Path, required: tuple[str, ...]) -> tuple[list[tuple[int, dict]], list[str]]:
    with io.StringIO(read_text_file(path), newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(
                f"{path}: the header lacks {', '.join(missing)} (found: {', '.join(header)})",
                hint="The first line must name the columns: " + ",".join(required),
            )
        reader.fieldnames = header
        try:
            return [(i, row) for i, row in enumerate(reader, start=2)], header
        except csv.Error as exc:
            raise InputError(
                f"{path}: unreadable CSV at line {reader.line_num + 1}: {exc}"
            ) from None


def read_scores(path: str | Path) -> tuple[list[tuple[str, str, float]], list[Rejected]]:
    p = _open(path)
    rows, _ = _csv_rows(p, ("paper_id", "reviewer_id", "score"))
    out, bad = [], []
    for line, row in rows:
        paper, rev, raw = (row.get(k) or "" for k in ("paper_id", "reviewer_id", "score"))
        try:
            score = float(raw)
        except ValueError:
            score = math.nan
        if not paper.strip() or not rev.strip() or not math.isfinite(score):
            bad.append(Rejected(str(p), line, f"need paper_id, reviewer_id and a number: {row}"))
            continue
        out.append((paper.strip(), rev.strip(), score))
    return out, bad


def read_conflict_pairs(path: str | Path) -> tuple[set[tuple[str, str]], list[Rejected]]:
    p = _open(path)
    rows, _ = _csv_rows(p, ("paper_id", "reviewer_id"))
    out, bad = set(), []
    for line, row in rows:
        paper, rev = (row.get("paper_id") or "").strip(), (row.get("reviewer_id") or "").strip()
        if not paper or not rev:
            bad.append(Rejected(str(p), line, "empty paper_id or reviewer_id"))
            continue
        out.add((paper, rev))
    return out, bad


def read_reviewers(path: str | Path) -> tuple[list[str], list[Rejected]]:
    p = _open(path)
    text = read_text_file(p, "reviewers file")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    cols = [c.strip() for c in first.split(",")]
    col = next((c for c in ("reviewer_id", "author_id") if c in cols), None)
    out: list[str] = []
    bad: list[Rejected] = []
    if col is not None:
        rows, _ = _csv_rows(p, (col,))
        for line, row in rows:
            value = (row.get(col) or "").strip()
            if value:
                out.append(value)
            else:
                bad.append(Rejected(str(p), line, f"empty {col}"))
    else:
        for line, raw in enumerate(text.splitlines(), start=1):
            value = raw.split("#", 1)[0].strip()
            if not value:
                continue
            if "," in value or " " in value:
                bad.append(Rejected(str(p), line, f"not one author id: {value!r}"))
                continue
            out.append(value)
    return list(dict.fromkeys(out)), bad


def _authors_of(value: Any) -> list[str] | None:
    if isinstance(value, dict):
        value = value.get("authors", value.get("author_ids"))
    if isinstance(value, list) and all(isinstance(a, str) and a.strip() for a in value):
        return [a.strip() for a in value]
    return None


def read_submissions(path: str | Path) -> tuple[dict[str, list[str]], list[Rejected]]:
    """``{paper_id: [author ids]}`` from a JSON or CSV submissions file."""
    p = _open(path)
    out: dict[str, list[str]] = {}
    bad: list[Rejected] = []
    if p.suffix.lower() == ".csv":
        rows, _ = _csv_rows(p, ("paper_id", "author_id"))
        for line, row in rows:
            paper, author = (
                (row.get("paper_id") or "").strip(),
                (row.get("author_id") or "").strip(),
            )
            if not paper or not author:
                bad.append(Rejected(str(p), line, "empty paper_id or author_id"))
                continue
            out.setdefault(paper, []).append(author)
        return out, bad
    try:
        data = json.loads(read_text_file(p, "submissions file"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{p} is not valid JSON: {exc}") from None
    if isinstance(data, dict):
        items = [(k, v) for k, v in data.items()]
    elif isinstance(data, list):
        items = [(d.get("id") if isinstance(d, dict) else None, d) for d in data]
    else:
        raise InputError(f"{p}: expected a JSON list or object of submissions")
    for i, (paper, value) in enumerate(items, start=1):
        authors = _authors_of(value)
        if not paper or not isinstance(paper, str) or authors is None:
            bad.append(Rejected(str(p), i, "need an id and a list of author ids"))
            continue
        out.setdefault(paper, []).extend(authors)
    return out, bad
