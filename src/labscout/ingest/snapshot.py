"""The OpenAlex snapshot into the store with DuckDB's own JSON reader, no Python row loop.

Reads the snapshot layout that ``aws s3 sync s3://openalex ROOT`` leaves:

- ``ROOT/data/works/manifest`` (JSON: ``entries[].url`` and ``meta.record_count``)
  listing ``ROOT/data/works/updated_date=YYYY-MM-DD/part_NNN.gz`` (gzipped JSON
  Lines); without a manifest, every ``part_*.gz`` under ``data/works``;
- ``ROOT/data/merged_ids/{works,authors,institutions}/*.csv.gz``
  (``merge_date,id,merged_into_id``).

Partitions are read a few at a time by one ``read_json`` call (one thread per
file) with explicit columns, filtered while reading (``--field``,
``--subfield``, ``--topic``, ``--since``), turned into the store's rows by SQL
(the abstract is rebuilt from the inverted index by an unnest and a
``string_agg``) and written in one transaction. Each finished partition is
recorded, so a run that stops resumes at the next partition.

The rows are those :func:`labscout.ingest.openalex_files` writes for the same
records (tests/test_snapshot.py checks it): the same work read twice keeps its
later line, an author keeps the name first seen, an institution the last, as
there. One difference: a partition whose gzip is broken is reported and left
whole for the next run, where the files path keeps the records before the break.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from labscout.errors import ConfigError, InputError
from labscout.ingest.pipeline import ingest, mark_done
from labscout.ingest.report import IngestReport, add_reject
from labscout.ingest.source import BaseSource, Input, Read
from labscout.progress import Progress, Task
from labscout.records import Author, Institution, Rejected, Work
from labscout.sources.guard import check_records
from labscout.sources.jsonfiles import iter_json_records
from labscout.sources.openalex import entity_type, parse_entity
from labscout.store import Batch, Store
from labscout.store import snapshot_sql as Q
from labscout.store.snapshot_sql import filter_condition

SOURCE_SNAPSHOT = "openalex-snapshot"
LINE_BATCH = 2000  # works a write when a partition is read line by line


@dataclass(frozen=True)
class SnapshotFilter:
    """Which works to keep: all given kinds must match; values within one kind are ORed.

    Fields, subfields and topics match any of a work's ``topics`` (OpenAlex
    ids, with or without their URL: ``17``, ``fields/17``, ``T10102``);
    ``since`` keeps works published in that year or later.
    """

    fields: tuple[str, ...] = ()
    subfields: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    since: int | None = None

    @staticmethod
    def _ids(values) -> tuple[str, ...]:
        return tuple(sorted({str(v).strip().rstrip("/").rsplit("/", 1)[-1] for v in values}))

    def normalized(self) -> SnapshotFilter:
        return SnapshotFilter(
            self._ids(self.fields), self._ids(self.subfields), self._ids(self.topics), self.since
        )

    def signature(self) -> str:
        """A short text naming the filter; part of each partition's resume key."""
        f = self.normalized()
        parts = [
            f"field={','.join(f.fields)}" if f.fields else "",
            f"subfield={','.join(f.subfields)}" if f.subfields else "",
            f"topic={','.join(f.topics)}" if f.topics else "",
            f"since={f.since}" if f.since is not None else "",
        ]
        return ";".join(p for p in parts if p) or "all"

    def keeps(self, d: dict[str, Any]) -> bool:
        """The filter of :meth:`where` on one raw work (for partitions read line by line)."""
        f = self.normalized()
        topics = [t for t in d.get("topics") or () if isinstance(t, dict)]

        def last(value: Any) -> str:
            return str(value or "").rstrip("/").rsplit("/", 1)[-1]

        def of(t: dict, kind: str) -> str:
            part = t.get(kind)
            return last(part.get("id")) if isinstance(part, dict) else ""

        if f.fields and not any(of(t, "field") in f.fields for t in topics):
            return False
        if f.subfields and not any(of(t, "subfield") in f.subfields for t in topics):
            return False
        wanted = {x.upper() for x in f.topics}
        if wanted and not any(last(t.get("id")).upper() in wanted for t in topics):
            return False
        year = d.get("publication_year")
        return f.since is None or (year.__class__ is int and year >= f.since)

    def where(self) -> tuple[str, list]:
        """A SQL condition on the raw columns, with its parameters."""
        f = self.normalized()
        return filter_condition(f.fields, f.subfields, f.topics, f.since)


@dataclass(frozen=True)
class Partition:
    """One ``part_*.gz`` of the works snapshot."""

    path: Path
    key: str  # the path under ROOT, e.g. data/works/updated_date=2024-01-01/part_000.gz
    record_count: int | None = None


def _relative(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def snapshot_partitions(root: str | Path) -> tuple[list[Partition], list[Rejected]]:
    """The works partitions of the snapshot at ``root``, in manifest order.

    Partitions the manifest lists but the disk lacks come back as rejects.
    """
    root = Path(root)
    works = root / "data" / "works"
    if not works.is_dir():
        raise InputError(
            f"no OpenAlex snapshot at {root}: {works} is missing",
            hint="Pass the folder holding data/works/ (from `aws s3 sync s3://openalex ROOT`).",
        )
    manifest = works / "manifest"
    if not manifest.is_file():
        found = sorted(works.glob("updated_date=*/part_*.gz"))
        return [Partition(p, _relative(root, p)) for p in found], []
    bad_manifest = InputError(
        f"cannot read the manifest {manifest}: not OpenAlex's JSON (entries[].url)",
        hint="Download it again, or delete it to read every part_*.gz found.",
    )
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))["entries"]
    except (ValueError, KeyError, TypeError) as exc:
        bad_manifest.message = f"cannot read the manifest {manifest}: {exc}"
        raise bad_manifest from None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise bad_manifest
    parts, missing = [], []
    for entry in entries:
        url = str(entry.get("url") or "")
        marker = url.find("data/works/")
        if marker < 0:
            missing.append(Rejected(str(manifest), None, f"manifest entry without a path: {url}"))
            continue
        rel = url[marker:]
        path = root / rel
        meta = entry.get("meta")
        count = meta.get("record_count") if isinstance(meta, dict) else None
        if path.is_file():
            n = count if count.__class__ is int else None
            parts.append(Partition(path, rel, n))
        else:
            missing.append(Rejected(str(path), None, "listed in the manifest but not on disk"))
    return parts, missing


def merged_id_files(root: str | Path) -> list[Path]:
    """``data/merged_ids/<entity>/*.csv(.gz)`` under ``root``, sorted."""
    base = Path(root) / "data" / "merged_ids"
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*") if p.is_file() and p.name.endswith((".csv", ".gz")))


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class OpenAlexSnapshot(BaseSource):
    """The works partitions and merged ids of an OpenAlex snapshot (a :class:`Source` that
    writes with DuckDB's JSON reader instead of yielding records: see :meth:`load`)."""

    name = SOURCE_SNAPSHOT

    def __init__(self, flt: SnapshotFilter, partitions_at_once: int | None = None) -> None:
        self.flt = flt
        self.at_once = partitions_at_once
        self.missing: list[Rejected] = []
        self.merged: set[str] = set()  # the keys of the merged-id files

    def parameters(self) -> dict[str, Any]:
        return {"filter": self.flt.signature()}

    def inputs(self, paths: Sequence[str | Path]) -> list[Input]:
        root = Path(paths[0])
        parts, self.missing = snapshot_partitions(root)
        merged = merged_id_files(root)
        if not parts and not merged:
            raise InputError(
                f"no works partitions (part_*.gz) under {root / 'data' / 'works'}",
                hint="Download the snapshot's data/works (and data/merged_ids) first.",
            )
        sig = {"filter": self.flt.signature()}
        merged_ids = [Input.file(p, {"merged": True}) for p in merged]
        self.merged = {i.key for i in merged_ids}
        return [Input.file(p.path, sig) for p in parts] + merged_ids

    def read(self, store: Store, input: Input, state: dict[str, Any]) -> Read:
        raise NotImplementedError("the snapshot is written by load(), not read by records")

    def load(self, store: Store, todo: list[Input], report: IngestReport, bar: Task) -> None:
        """Write ``todo``: partitions a group at a time, then the merged ids."""
        for r in self.missing:
            add_reject(report, r)
        threads = Q.prepare(store)
        at_once = max(1, self.at_once or threads)
        parts = [i for i in todo if i.key not in self.merged]
        for start in range(0, len(parts), at_once):
            group = parts[start : start + at_once]
            for i in _load_partitions(store, group, self.flt, report):
                mark_done(store, self.name, i)
            bar.advance(len(group))
        for i in todo[len(parts) :]:
            assert i.path is not None
            folder = i.path.parent.name
            entity = folder if folder in ("works", "authors", "institutions") else None
            try:
                bad, merged = Q.load_merged(store, i.path, entity)
            except duckdb.Error as exc:
                add_reject(report, Rejected(str(i.path), None, _first_line(exc)))
            else:
                if bad:
                    msg = f"{bad} merged-id row(s) without both ids"
                    add_reject(report, Rejected(str(i.path), None, msg))
                report.counts.merged += merged
                mark_done(store, self.name, i)
            bar.advance()
        written = report.counts.works_inserted + report.counts.works_updated
        if report.counts.merged or (written and Q.has_merged_ids(store)):
            store.apply_merges()  # works written again may carry ids merged earlier


def _load_group(store: Store, paths: list[Path], flt: SnapshotFilter, report: IngestReport) -> None:
    """Read ``paths`` and write their works in one transaction."""
    stats = Q.read_group(store, paths, flt.where())
    for name, (_lines, _kept, bad) in stats.items():
        if bad:
            add_reject(report, Rejected(name, None, f"{bad} line(s) without a work id"))
    report.read += sum(s[0] for s in stats.values())
    Q.write_group(store, report.counts)


def _load_partitions(
    store: Store, group: list[Input], flt: SnapshotFilter, report: IngestReport
) -> list[Input]:
    """Load ``group`` together; if that fails, each alone, rejecting the unreadable ones.

    Returns the partitions loaded."""
    try:
        _load_group(store, [i.path for i in group if i.path], flt, report)
        return group
    except duckdb.Error as exc:
        if len(group) == 1:
            return _load_alone(store, group[0], flt, report, exc)
    done = []
    for part in group:
        try:
            _load_group(store, [part.path] if part.path else [], flt, report)
            done.append(part)
        except duckdb.Error as exc1:
            done += _load_alone(store, part, flt, report, exc1)
    return done


def _load_alone(
    store: Store, part: Input, flt: SnapshotFilter, report: IngestReport, exc: duckdb.Error
) -> list[Input]:
    """A partition DuckDB's reader refused (a bad record in it): read line by line, each bad
    record rejected with its line. A file broken as a whole (a cut gzip) is rejected and
    left for the next run. Returns ``[part]`` when it was loaded."""
    assert part.path is not None
    for item in iter_json_records(part.path):  # the file whole? (a cheap pass, rare)
        if (
            isinstance(item, Rejected)
            and item.line is None
            or (isinstance(item, Rejected) and item.reason.startswith("file ends early"))
        ):
            msg = f"cannot read: {_first_line(exc)}"
            add_reject(report, Rejected(str(part.path), None, msg))
            return []
    batch = Batch()
    for item in iter_json_records(part.path):
        report.read += 1
        if isinstance(item, Rejected):
            add_reject(report, item)
            continue
        line, d = item
        if isinstance(d, dict) and entity_type(d) == "works" and not flt.keeps(d):
            continue
        records = parse_entity(d, str(part.path), line)
        why = None if isinstance(records, Rejected) else check_records(records)
        if isinstance(records, Rejected) or why is not None:
            add_reject(report, records if why is None else Rejected(str(part.path), line, why))
            continue
        for r in records:
            {Work: batch.works, Author: batch.authors, Institution: batch.institutions}.get(
                type(r), []
            ).append(r)
        if len(batch.works) >= LINE_BATCH:
            report.counts.add(store.write(batch))
            batch = Batch()
    if len(batch):
        report.counts.add(store.write(batch))
    return [part]


def openalex_snapshot(
    store: Store,
    root: str | Path,
    *,
    fields: tuple[str, ...] | list[str] | None = (),
    subfields: tuple[str, ...] | list[str] | None = (),
    topics: tuple[str, ...] | list[str] | None = (),
    since: int | None = None,
    force: bool = False,
    partitions_at_once: int | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest the works (and merged ids) of an OpenAlex snapshot at ``root`` with DuckDB.

    Keeps the works matching every filter given (see :class:`SnapshotFilter`),
    with their authorships, the authors and institutions they name, and their
    external ids. ``partitions_at_once`` (default: DuckDB's thread count)
    partitions are read in parallel and written in one transaction; each
    finished partition is recorded (per filter), and skipped by a later run
    unless ``force``. ``report.read`` counts the lines read; a line without a
    work id is rejected; a partition that cannot be read is rejected and left
    for the next run.
    """
    if partitions_at_once is not None and partitions_at_once < 1:
        raise ConfigError(
            f"--at-once {partitions_at_once} must be at least 1",
            hint="Leave it out to read as many partitions at once as DuckDB has threads.",
        )
    flt = SnapshotFilter(tuple(fields or ()), tuple(subfields or ()), tuple(topics or ()), since)
    source = OpenAlexSnapshot(flt, partitions_at_once)
    return ingest(store, source, [root], force=force, progress=progress)
