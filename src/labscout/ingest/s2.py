"""Semantic Scholar files into the store: author records first, then their papers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from labscout.errors import InputError
from labscout.ingest.matching import matched, names_compatible
from labscout.ingest.pipeline import Checkpoint, IngestReport, run_ingest
from labscout.progress import Progress
from labscout.records import Author, Rejected
from labscout.sources.s2 import parse_author_record, parse_paper
from labscout.store import Store

SOURCE = "s2"
CHECKPOINT_EVERY = 500


def _layout(root: Path) -> tuple[list[Path], list[Path]]:
    """(author files, paper files) under ``root``: ``participants/`` (or ``authors/``) and
    ``papers/``, or a folder of one kind (told apart by their fields)."""
    authors: list[Path] = []
    papers: list[Path] = []
    for name in ("participants", "authors"):
        if (root / name).is_dir():
            authors += sorted((root / name).glob("*.json"))
    if (root / "papers").is_dir():
        papers += sorted((root / "papers").glob("*.json"))
    if not authors and not papers:
        for f in sorted(root.glob("*.json")):
            (authors if b'"authorId"' in f.read_bytes()[:200] else papers).append(f)
    return authors, papers


def _load(path: Path):
    try:
        return orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        return Rejected(str(path), None, f"invalid JSON: {exc}")


def _items(store: Store, root: Path, force: bool, skipped: list[str]) -> Iterator:
    author_files, paper_files = _layout(root)
    if not author_files and not paper_files:
        raise InputError(
            f"no Semantic Scholar records in {root}",
            hint="Pass a folder with papers/ and participants/ (or authors/) of .json records.",
        )
    key = str(root.resolve())
    state = store.get_progress(SOURCE, key)
    if state and state[1] and not force:
        skipped.append(str(root))
        return
    skip = int(state[0] or 0) if state and not force else 0
    known: dict[str, list[Author]] = {}
    authors = []
    for f in author_files:
        d = _load(f)
        parsed = d if isinstance(d, Rejected) else parse_author_record(d, str(f))
        if isinstance(parsed, Rejected):
            authors.append(parsed)
            continue
        author, paper_ids = parsed
        authors.append([author])
        for pid in paper_ids:
            known.setdefault(pid, []).append(author)
    n = 0
    for item in authors:
        n += 1
        if n > skip:
            yield item
    for f in paper_files:
        n += 1
        if n <= skip:
            continue
        d = _load(f)
        yield d if isinstance(d, Rejected) else parse_paper(d, str(f), known, names_compatible)
        if n % CHECKPOINT_EVERY == 0:
            yield Checkpoint(SOURCE, key, str(n))
    yield Checkpoint(SOURCE, key, str(n), done=True)


def s2_files(
    store: Store,
    folder: str | Path,
    *,
    force: bool = False,
    match: bool = True,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest Semantic Scholar author and paper records (one JSON file each) from ``folder``.

    A paper already in the store from another source (same DOI, arXiv id, or
    title and year) is merged into the stored work.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"no such folder: {root}", hint="Pass the folder holding papers/.")
    skipped: list[str] = []
    items = _items(store, root, force, skipped)
    if match:
        items = matched(store, items, SOURCE)
    report = run_ingest(
        store,
        SOURCE,
        {"folder": str(root), "force": force},
        items,
        batch_size=batch_size,
        progress=progress,
    )
    report.skipped = skipped
    return report
