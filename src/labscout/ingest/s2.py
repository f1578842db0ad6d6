"""Semantic Scholar files into the store: author records first, then their papers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Unpack

import orjson

from labscout.errors import InputError
from labscout.ingest.pipeline import ingest
from labscout.ingest.report import IngestReport
from labscout.ingest.source import BaseSource, IngestOptions, Input, Item, Read, one_path
from labscout.records import Author, Rejected
from labscout.sources.guard import parsed as guarded
from labscout.sources.names import names_compatible
from labscout.sources.s2 import parse_author_record, parse_paper
from labscout.store import Store

SOURCE = "s2"


def _layout(root: Path) -> tuple[list[Path], list[Path]]:
    """(author files, paper files) under ``root``: ``participants/`` (or ``authors/``) and
    ``papers/``, or a folder of one kind (told apart by their fields)."""
    authors: list[Path] = []
    papers: list[Path] = []
    for name in ("participants", "authors"):
        if (root / name).is_dir():
            authors += sorted(f for f in (root / name).glob("*.json") if f.is_file())
    if (root / "papers").is_dir():
        papers += sorted(f for f in (root / "papers").glob("*.json") if f.is_file())
    if not authors and not papers:
        for f in sorted(f for f in root.glob("*.json") if f.is_file()):
            (authors if b'"authorId"' in f.read_bytes()[:200] else papers).append(f)
    return authors, papers


def _load(path: Path):
    try:
        return orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        return Rejected(str(path), None, f"invalid JSON: {exc}")
    except OSError as exc:
        return Rejected(str(path), None, f"unreadable file: {exc.strerror or exc}")


def _authors(author_files: list[Path]) -> tuple[list, dict[str, list[Author]]]:
    """The author records (or rejects) of ``author_files``, and the authors of each paper id."""
    known: dict[str, list[Author]] = {}
    authors: list = []
    for f in author_files:
        d = _load(f)
        parsed = (
            d if isinstance(d, Rejected) else guarded(str(f), None, parse_author_record, d, str(f))
        )
        if isinstance(parsed, Rejected):
            authors.append(parsed)
            continue
        author, paper_ids = parsed
        authors.append([author])
        for pid in paper_ids:
            known.setdefault(pid, []).append(author)
    return authors, known


class S2Files(BaseSource):
    """A folder of Semantic Scholar author and paper records (a :class:`Source`)."""

    name = SOURCE

    def inputs(self, paths: Sequence[str | Path]) -> list[Input]:
        root = one_path(paths, True, "Pass the folder holding papers/.")
        self.files = _layout(root)
        if not self.files[0] and not self.files[1]:
            raise InputError(
                f"no Semantic Scholar records in {root}",
                hint="Pass a folder with papers/ and participants/ (or authors/) of .json records.",
            )
        return [Input.folder(root)]

    def read(self, store: Store, input: Input, state: dict[str, Any]) -> Read:
        author_files, paper_files = self.files
        skip = int(state.get("at", 0))
        authors, known = _authors(author_files)
        for n, item in enumerate(authors, start=1):
            if n > skip:
                yield Item(n, item)
        for n, f in enumerate(paper_files, start=len(authors) + 1):
            if n <= skip:
                continue
            d = _load(f)
            if not isinstance(d, Rejected):
                d = guarded(str(f), None, parse_paper, d, str(f), known, names_compatible)
            yield Item(n, d)


def s2_files(
    store: Store, folder: str | Path, *, match: bool = True, **options: Unpack[IngestOptions]
) -> IngestReport:
    """Ingest Semantic Scholar author and paper records (one JSON file each) from ``folder``.

    A paper already in the store from another source (same DOI, arXiv id, or
    title and year) is merged into the stored work.
    """
    return ingest(store, S2Files(match), [folder], **options)
