"""OpenAlex into the store: snapshot/JSON files (and the API, in openalex_api)."""

from __future__ import annotations

import contextlib
import csv
import gc
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Unpack

from labscout.errors import InputError
from labscout.ingest.pipeline import ingest
from labscout.ingest.report import IngestReport
from labscout.ingest.source import BaseSource, IngestOptions, Input, Item, Read
from labscout.records import MergedId, Rejected
from labscout.sources.jsonfiles import JSON_SUFFIXES, expand_paths, iter_json_records, open_text
from labscout.sources.openalex import parse_entity, short_id
from labscout.store import Store

SOURCE_FILES = "openalex-files"
_CSV = (".csv", ".csv.gz")


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


class OpenAlexFiles(BaseSource):
    """OpenAlex JSON, JSON Lines and gzipped files, and merged-id CSVs (a :class:`Source`)."""

    name = SOURCE_FILES
    matches = False
    overlap_writes = True  # read uses no store

    def inputs(self, paths: Sequence[str | Path]) -> list[Input]:
        files = expand_paths(list(paths), JSON_SUFFIXES + _CSV)
        if not files:
            raise InputError(
                "no OpenAlex files found in " + ", ".join(map(str, paths)),
                hint="Pass .json, .jsonl or .gz files, or a folder holding them.",
            )
        return [Input.file(p) for p in files]

    def read(self, store: Store, input: Input, state: dict[str, Any]) -> Read:
        path = input.path
        assert path is not None
        skip = int(state.get("at", 0))
        if path.name.endswith(_CSV):
            for item in _iter_merged_csv(path, skip):
                yield item if isinstance(item, Rejected) else Item(item[0], [item[1]])
            return
        for item in iter_json_records(path, skip):
            if isinstance(item, Rejected):
                yield item
            else:
                yield Item(item[0], parse_entity(item[1], str(path), item[0]))


def openalex_files(
    store: Store, paths: list[str | Path], **options: Unpack[IngestOptions]
) -> IngestReport:
    """Ingest OpenAlex records from files: JSON lists, JSON Lines, gzipped JSON Lines.

    Folders are searched for ``*.json``, ``*.jsonl``, ``*.gz`` (the snapshot's
    ``data/works/updated_date=*/part_*.gz``) and merged-id CSVs. A file that an
    earlier run finished is skipped unless ``force``; a file an earlier run was
    interrupted in resumes after the last saved record.
    """
    with _no_cyclic_gc(), store.bulk_load():
        return ingest(store, OpenAlexFiles(), paths, **options)
