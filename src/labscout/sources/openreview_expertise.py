"""Read the OpenReview expertise formats used for reviewer-paper affinity.

- ``submissions.json``: ``{paper_id: {"id", "content": {"title", "abstract"}}}``;
- an archives folder of ``~<reviewer>.jsonl`` files, one profile paper a line,
  each ``{"id", "content": {"title", "abstract"}}``.

Self-contained on purpose (the store ingester for OpenReview lives in
:mod:`labscout.sources.openreview`): this only yields small
:class:`ExpertisePaper` values plus a warning line for each oddity (missing
abstract, empty archive, duplicate id, unreadable line), never a crash on a
bad record. A file that cannot be read at all raises :class:`InputError`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labscout.errors import InputError
from labscout.sources.jsonfiles import read_text_file


@dataclass(frozen=True)
class ExpertisePaper:
    id: str
    title: str
    abstract: str

    @property
    def text(self) -> str:
        """Title and abstract as one text (what the embedders and lexical scorers see)."""
        title, abstract = self.title.strip(), self.abstract.strip()
        if title and abstract:
            sep = " " if title[-1] in ".?!:" else ". "
            return f"{title}{sep}{abstract}"
        return title or abstract


def _as_text(value: Any) -> str:
    # OpenReview API v2 wraps content fields as {"value": ...}
    if isinstance(value, dict):
        value = value.get("value")
    return value.strip() if isinstance(value, str) else ""


def _paper(obj: Any, fallback_id: str | None, where: str, warnings: list[str]) -> ExpertisePaper:
    """One record to an ExpertisePaper; raises ValueError when it is not a paper at all."""
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    pid = obj.get("id", fallback_id)
    if pid is None or str(pid).strip() == "":
        raise ValueError("no id")
    pid = str(pid)
    raw = obj.get("content")
    content: dict[str, Any] = raw if isinstance(raw, dict) else {}
    paper = ExpertisePaper(pid, _as_text(content.get("title")), _as_text(content.get("abstract")))
    if not paper.title and not paper.abstract:
        warnings.append(f"{where}: paper {pid} has neither title nor abstract")
    elif not paper.abstract:
        warnings.append(f"{where}: paper {pid} has no abstract (title only)")
    return paper


_SHAPE = 'Expected {"<paper id>": {"id": ..., "content": {"title": ..., "abstract": ...}}}.'


class _Object(dict):
    """A JSON object that remembers the keys it saw twice (json.loads keeps the last)."""

    duplicates: list[str]


def _keep_first(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj:
            obj.duplicates.append(key)
        else:
            obj[key] = value
    return obj


def read_submissions(path: str | os.PathLike[str]) -> tuple[list[ExpertisePaper], list[str]]:
    """Submissions in file order, and the warnings met reading them.

    A duplicate paper id (as a repeated key, or two keys whose ``"id"`` is the
    same) keeps the first and warns.
    """
    path = Path(path)
    raw = read_text_file(path, "submissions file")
    try:
        top = json.loads(raw, object_pairs_hook=_keep_first)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path} is not valid JSON: {exc.msg} (line {exc.lineno})",
            hint=_SHAPE,
        ) from None
    if not isinstance(top, _Object):
        raise InputError(
            f"{path} is not a JSON object of submissions",
            hint=_SHAPE,
        )
    warnings: list[str] = []
    papers: list[ExpertisePaper] = []
    seen: set[str] = set()
    for key in top.duplicates:
        warnings.append(f"{path.name}: duplicate submission key {key} (kept the first)")
    for key, obj in top.items():
        try:
            paper = _paper(obj, key, path.name, warnings)
        except ValueError as exc:
            warnings.append(f"{path.name}: submission {key!r} skipped ({exc})")
            continue
        if paper.id != key:
            warnings.append(
                f"{path.name}: submission key {key!r} holds id {paper.id!r} (used the id)"
            )
        if paper.id in seen:
            warnings.append(f"{path.name}: duplicate submission id {paper.id} (kept the first)")
            continue
        seen.add(paper.id)
        papers.append(paper)
    if not papers:
        warnings.append(f"{path.name}: no submissions")
    return papers, warnings


def read_archive(path: str | os.PathLike[str]) -> tuple[list[ExpertisePaper], list[str]]:
    """One reviewer's ``~<id>.jsonl`` profile; a bad line or a duplicate paper warns."""
    path = Path(path)
    warnings: list[str] = []
    papers: list[ExpertisePaper] = []
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        warnings.append(f"{path.name}: cannot read archive ({exc}); treated as empty")
        lines = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            paper = _paper(json.loads(line), None, f"{path.name}:{n}", warnings)
        except (json.JSONDecodeError, ValueError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            warnings.append(f"{path.name}:{n}: line skipped ({reason})")
            continue
        if paper.id in seen:
            warnings.append(f"{path.name}:{n}: duplicate paper {paper.id} (kept the first)")
            continue
        seen.add(paper.id)
        papers.append(paper)
    usable = [p for p in papers if p.text]
    if not usable:
        warnings.append(f"{path.name}: empty archive (reviewer {path.stem} scores 0 everywhere)")
    return usable, warnings


def read_archives(
    directory: str | os.PathLike[str],
) -> tuple[dict[str, list[ExpertisePaper]], list[str]]:
    """Every ``*.jsonl`` archive in ``directory``, keyed by file stem (``~Name1``)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(
            f"archives folder not found: {directory}",
            hint="Give the folder that holds the ~<reviewer>.jsonl files.",
        )
    files = sorted(directory.glob("*.jsonl"))
    if not files:
        raise InputError(
            f"no .jsonl archives in {directory}",
            hint="Each reviewer needs a ~<reviewer>.jsonl file, one paper a line.",
        )
    archives: dict[str, list[ExpertisePaper]] = {}
    warnings: list[str] = []
    for f in files:
        papers, w = read_archive(f)
        archives[f.stem] = papers
        warnings.extend(w)
    return archives, warnings
