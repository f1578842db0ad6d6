"""OpenReview expertise archives into the store (``labscout ingest openreview-archives``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Unpack

import orjson

from labscout.errors import InputError
from labscout.ingest.pipeline import ingest
from labscout.ingest.report import IngestReport
from labscout.ingest.source import BaseSource, IngestOptions, Input, Item, Read, one_path
from labscout.records import Rejected
from labscout.sources.guard import parsed as guarded
from labscout.sources.jsonfiles import iter_json_records
from labscout.sources.openreview import archive_owner_name, parse_paper, person
from labscout.store import Store

SOURCE = "openreview"


class OpenReviewArchives(BaseSource):
    """``archives/~<id>.jsonl`` and ``submissions.json`` (a :class:`Source`); each file whole."""

    name = SOURCE
    checkpoint_every = None

    def inputs(self, paths: Sequence[str | Path]) -> list[Input]:
        root = one_path(paths, True, "Pass the folder holding archives/.")
        folder = root / "archives"
        archives = sorted(folder.glob("~*.jsonl")) if folder.is_dir() else []
        archives = [f for f in archives + sorted(root.glob("~*.jsonl")) if f.is_file()]
        submissions = root / "submissions.json"
        if not archives and not submissions.is_file():
            raise InputError(
                f"no OpenReview archives in {root}",
                hint="Pass a folder with archives/~<id>.jsonl and/or submissions.json.",
            )
        files = archives + ([submissions] if submissions.is_file() else [])
        return [Input.file(f) for f in files]

    def read(self, store: Store, input: Input, state: dict[str, Any]) -> Read:
        path = input.path
        assert path is not None
        if path.name == "submissions.json":
            yield from _submissions(path)
            return
        lines = []
        for item in iter_json_records(path):
            if isinstance(item, Rejected):
                yield item
            else:
                lines.append(item)
        name = guarded(str(path), None, archive_owner_name, [d for _, d in lines])
        owner = person(path.stem, None if isinstance(name, Rejected) else name)
        yield Item(0, [owner])
        for n, d in lines:
            yield Item(n, guarded(str(path), n, parse_paper, d, str(path), n, owner))


def _submissions(path: Path) -> Read:
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise InputError(
            f"{path} is not valid JSON: {exc}",
            hint="submissions.json maps paper ids to {id, content} objects.",
        ) from None
    if not isinstance(data, dict):
        yield Rejected(str(path), None, "expected a JSON object of paper id -> paper")
        return
    for n, d in enumerate(data.values(), start=1):
        yield Item(n, guarded(str(path), n, parse_paper, d, str(path), n, None))


def openreview_archives(
    store: Store, folder: str | Path, *, match: bool = True, **options: Unpack[IngestOptions]
) -> IngestReport:
    """Ingest ``archives/~<id>.jsonl`` (each person's papers) and ``submissions.json``.

    Each archive file becomes a person and their papers; papers already in the
    store (same Semantic Scholar or arXiv id, or title and year) are merged
    into the stored work. Archive files an earlier run finished are skipped
    unless ``force``.
    """
    return ingest(store, OpenReviewArchives(match), [folder], **options)
