"""OpenAlex into the store: snapshot/JSON files (and the API, in openalex_api)."""

from __future__ import annotations

import contextlib
import csv
import gc
import io
from collections.abc import Iterator
from pathlib import Path

from labscout.errors import InputError
from labscout.ingest.pipeline import Checkpoint, IngestReport, run_ingest
from labscout.progress import Progress
from labscout.records import MergedId, Rejected
from labscout.sources.jsonfiles import JSON_SUFFIXES, expand_paths, iter_json_records, open_text
from labscout.sources.openalex import parse_entity, short_id
from labscout.store import Store

SOURCE_FILES = "openalex-files"
_CSV = (".csv", ".csv.gz")
CHECKPOINT_EVERY = 500  # records between resume points inside one file


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: parsed JSON and records hold no reference
    cycles (reference counting frees them), and the collector's passes over each
    batch of records cost about a sixth of the ingest's CPU time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _file_key(path: Path) -> str:
    st = path.stat()
    return f"{path.resolve()}|{st.st_size}"


def _iter_merged_csv(path: Path, skip: int) -> Iterator[tuple[int, MergedId] | Rejected]:
    """OpenAlex ``data/merged_ids/<entity>/*.csv.gz``: ``merge_date,id,merged_into_id``."""
    entity_hint = (
        path.parent.name if path.parent.name in ("works", "authors", "institutions") else None
    )
    with open_text(path) as fh:
        reader = csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8"))
        try:
            for n, row in enumerate(reader, start=2):
                if n - 1 <= skip:
                    continue
                old, new = short_id(row.get("id")), short_id(row.get("merged_into_id"))
                if not old or not new:
                    yield Rejected(str(path), n, "merged-id row without id or merged_into_id")
                    continue
                entity = entity_hint or {"W": "works", "A": "authors", "I": "institutions"}.get(
                    old[:1], "works"
                )
                yield n - 1, MergedId(entity, old, new)
        except (EOFError, OSError, csv.Error) as exc:
            yield Rejected(str(path), None, f"file ends early: {exc}")


def _items(states: dict[str, tuple | None], files: list[Path], force: bool, skipped: list[str]):
    """The records of ``files``; ``states`` holds each file's saved resume point, read
    before the run so that the store is not used while batches are written."""
    for path in files:
        key = _file_key(path)
        state = states.get(key)
        if state and state[1] and not force:
            skipped.append(str(path))
            continue
        skip = int(state[0] or 0) if state and not force else 0
        is_csv = path.name.endswith(_CSV)
        records = _iter_merged_csv(path, skip) if is_csv else iter_json_records(path, skip)
        position = skip
        for item in records:
            if isinstance(item, Rejected):
                yield item
                continue
            position, data = item
            if is_csv:
                yield [data]
            else:
                yield parse_entity(data, str(path), position)
            if position % CHECKPOINT_EVERY == 0:
                yield Checkpoint(SOURCE_FILES, key, str(position))
        yield Checkpoint(SOURCE_FILES, key, str(position), done=True)


def openalex_files(
    store: Store,
    paths: list[str | Path],
    *,
    force: bool = False,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest OpenAlex records from files: JSON lists, JSON Lines, gzipped JSON Lines.

    Folders are searched for ``*.json``, ``*.jsonl``, ``*.gz`` (the snapshot's
    ``data/works/updated_date=*/part_*.gz``) and merged-id CSVs. A file that an
    earlier run finished is skipped unless ``force``; a file an earlier run was
    interrupted in resumes after the last saved record.
    """
    files = expand_paths(paths, JSON_SUFFIXES + _CSV)
    if not files:
        raise InputError(
            "no OpenAlex files found in " + ", ".join(map(str, paths)),
            hint="Pass .json, .jsonl or .gz files, or a folder holding them.",
        )
    skipped: list[str] = []
    states = {key: store.get_progress(SOURCE_FILES, key) for key in map(_file_key, files)}
    with _no_cyclic_gc(), store.bulk_load():
        report = run_ingest(
            store,
            SOURCE_FILES,
            {"paths": [str(p) for p in paths], "force": force},
            _items(states, files, force, skipped),
            batch_size=batch_size,
            progress=progress,
            overlap_writes=True,
        )
    report.skipped = skipped
    return report
