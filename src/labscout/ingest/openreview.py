"""OpenReview expertise archives into the store (``labscout ingest openreview-archives``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from labscout.errors import InputError
from labscout.ingest.matching import matched
from labscout.ingest.pipeline import Checkpoint, IngestReport, run_ingest
from labscout.progress import Progress
from labscout.records import Rejected
from labscout.sources.jsonfiles import iter_json_records
from labscout.sources.openreview import archive_owner_name, parse_paper, person
from labscout.store import Store

SOURCE = "openreview"


def _items(store: Store, root: Path, force: bool, skipped: list[str]) -> Iterator:
    archives = sorted((root / "archives").glob("~*.jsonl")) if (root / "archives").is_dir() else []
    archives += sorted(root.glob("~*.jsonl"))
    submissions = root / "submissions.json"
    if not archives and not submissions.is_file():
        raise InputError(
            f"no OpenReview archives in {root}",
            hint="Pass a folder with archives/~<id>.jsonl and/or submissions.json.",
        )
    for f in archives:
        key = str(f.resolve())
        state = store.get_progress(SOURCE, key)
        if state and state[1] and not force:
            skipped.append(str(f))
            continue
        lines = []
        for item in iter_json_records(f):
            if isinstance(item, Rejected):
                yield item
            else:
                lines.append(item)
        owner = person(f.stem, archive_owner_name([d for _, d in lines]))
        yield [owner]
        for n, d in lines:
            yield parse_paper(d, str(f), n, owner)
        yield Checkpoint(SOURCE, key, str(len(lines)), done=True)
    if submissions.is_file():
        key = str(submissions.resolve())
        state = store.get_progress(SOURCE, key)
        if state and state[1] and not force:
            skipped.append(str(submissions))
            return
        try:
            data = orjson.loads(submissions.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise InputError(
                f"{submissions} is not valid JSON: {exc}",
                hint="submissions.json maps paper ids to {id, content} objects.",
            ) from None
        if not isinstance(data, dict):
            yield Rejected(str(submissions), None, "expected a JSON object of paper id -> paper")
        else:
            for n, d in enumerate(data.values(), start=1):
                yield parse_paper(d, str(submissions), n, None)
        yield Checkpoint(SOURCE, key, None, done=True)


def openreview_archives(
    store: Store,
    folder: str | Path,
    *,
    force: bool = False,
    match: bool = True,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest ``archives/~<id>.jsonl`` (each person's papers) and ``submissions.json``.

    Each archive file becomes a person and their papers; papers already in the
    store (same Semantic Scholar or arXiv id, or title and year) are merged
    into the stored work. Archive files an earlier run finished are skipped
    unless ``force``.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"no such folder: {root}", hint="Pass the folder holding archives/.")
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
