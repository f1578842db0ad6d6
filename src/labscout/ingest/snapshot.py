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

import gzip
import itertools
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import orjson

from labscout.errors import InputError
from labscout.ingest import snapshot_sql as Q
from labscout.ingest.pipeline import MAX_REJECTS_KEPT, IngestReport, record_run
from labscout.progress import Progress, SilentProgress
from labscout.records import Rejected
from labscout.store import Store

SOURCE_SNAPSHOT = "openalex-snapshot"


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

    def where(self) -> tuple[str, list]:
        """A SQL condition on the raw columns, with its parameters."""
        f = self.normalized()
        conds, params = [], []
        for values, path in ((f.fields, "t.field.id"), (f.subfields, "t.subfield.id")):
            if values:
                conds.append(f"list_has_any(list_transform(topics, lambda t: _oa_last({path})), ?)")
                params.append(list(values))
        if f.topics:
            conds.append("list_has_any(list_transform(topics, lambda t: _oa_last(t.id)), ?)")
            params.append([t.upper() for t in f.topics])
        if f.since is not None:
            conds.append("publication_year >= ?")
            params.append(int(f.since))
        return (" AND ".join(f"coalesce({c}, false)" for c in conds) or "true"), params


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
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))["entries"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"cannot read the manifest {manifest}: {exc}",
            hint="Download it again, or delete it to read every part_*.gz found.",
        ) from None
    parts, missing = [], []
    for entry in entries:
        url = str(entry.get("url") or "")
        marker = url.find("data/works/")
        if marker < 0:
            missing.append(Rejected(str(manifest), None, f"manifest entry without a path: {url}"))
            continue
        rel = url[marker:]
        path = root / rel
        count = (entry.get("meta") or {}).get("record_count")
        if path.is_file():
            parts.append(Partition(path, rel, int(count) if count is not None else None))
        else:
            missing.append(Rejected(str(path), None, "listed in the manifest but not on disk"))
    return parts, missing


def merged_id_files(root: str | Path) -> list[Path]:
    """``data/merged_ids/<entity>/*.csv(.gz)`` under ``root``, sorted."""
    base = Path(root) / "data" / "merged_ids"
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*") if p.is_file() and p.name.endswith((".csv", ".gz")))


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _columns_sql() -> str:
    return "{" + ", ".join(f"'{k}': '{v}'" for k, v in Q.WORK_COLUMNS.items()) + "}"


def _read_group(con, paths: list[Path], flt: SnapshotFilter) -> dict[str, tuple[int, int, int]]:
    """Read ``paths`` into the temp table ``_snap_raw`` (works that pass ``flt``).

    Returns per file name: (lines read, works kept, lines without a work id).
    """
    where, params = flt.where()
    kept = ", ".join(f"CASE WHEN is_work AND keep THEN {c} END AS {c}" for c in Q.WORK_COLUMNS)
    # every line leaves its id; only the works kept leave their other columns. Rows
    # keep the files' order (DuckDB preserves insertion order): rowid is the position
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _snap_raw AS
        SELECT filename, wid, is_work, keep, {kept} FROM (
            SELECT filename, _oa_short(id) AS wid,
                   coalesce(upper(_oa_short(id)) LIKE 'W%', false) AS is_work,
                   coalesce({where}, false) AS keep, * EXCLUDE (filename)
            FROM read_json({_sql_list(paths)}, format = 'newline_delimited', filename = true,
                           columns = {_columns_sql()}, maximum_object_size = {Q.MAX_OBJECT_BYTES}))
        """,
        params,
    )
    stats = {
        r[0]: (r[1], r[2], r[3])
        for r in con.execute(
            "SELECT filename, count(*), count(*) FILTER (WHERE is_work AND keep), "
            "count(*) FILTER (WHERE NOT is_work OR wid IS NULL) FROM _snap_raw GROUP BY filename"
        ).fetchall()
    }
    con.execute("DELETE FROM _snap_raw WHERE NOT (is_work AND keep)")
    # a work read twice: the later line (the newer partition) wins
    con.execute(
        "DELETE FROM _snap_raw WHERE rowid IN (SELECT rowid FROM _snap_raw "
        "QUALIFY row_number() OVER (PARTITION BY wid ORDER BY rowid DESC) > 1)"
    )
    return stats


def _count(con, sql: str) -> int:
    return con.execute(sql).fetchone()[0]


def _load_group(con, paths: list[Path], flt: SnapshotFilter, report: IngestReport) -> None:
    """Read ``paths`` and write their works in one transaction."""
    stats = _read_group(con, paths, flt)
    for name, (_lines, _kept, bad) in stats.items():
        if bad:
            _reject(report, Rejected(name, None, f"{bad} line(s) without a work id"))
    report.read += sum(s[0] for s in stats.values())
    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    con.execute(Q.WORKS_SQL, [now])
    con.execute(Q.AUTHORSHIPS_SQL)
    con.execute(Q.AUTHORS_SQL)
    con.execute(Q.INSTITUTIONS_SQL)
    c = report.counts
    con.execute("BEGIN")
    try:
        n = _count(con, "SELECT count(*) FROM _snap_w")
        old = _count(con, "SELECT count(*) FROM works WHERE id IN (SELECT id FROM _snap_w)")
        c.works_updated += old
        c.works_inserted += n - old
        for table, col in (("works", "id"), ("authorships", "work_id"), ("work_ids", "work_id")):
            con.execute(f"DELETE FROM {table} WHERE {col} IN (SELECT id FROM _snap_w)")
        con.execute("INSERT INTO works SELECT * FROM _snap_w")
        con.execute(Q.INSERT_AUTHORSHIPS)
        con.execute(Q.WORK_IDS_SQL)
        # a name seen on a work never replaces what is known; it only adds new people
        c.authors_inserted += con.execute(
            "INSERT INTO authors SELECT id, orcid, display_name, [], NULL, NULL, [], "
            "'openalex', false, ?::TIMESTAMP FROM _snap_auth "
            "WHERE id NOT IN (SELECT id FROM authors)",
            [now],
        ).fetchone()[0]
        n = _count(con, "SELECT count(*) FROM _snap_inst")
        old = _count(
            con, "SELECT count(*) FROM institutions WHERE id IN (SELECT id FROM _snap_inst)"
        )
        c.institutions_updated += old
        c.institutions_inserted += n - old
        con.execute("DELETE FROM institutions WHERE id IN (SELECT id FROM _snap_inst)")
        con.execute(
            "INSERT INTO institutions SELECT id, v.ror, v.display_name, v.country_code, v.type, "
            "v.lineage, 'openalex', ?::TIMESTAMP FROM _snap_inst",
            [now],
        )
        _bump_version(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for t in ("_snap_raw", "_snap_w", "_snap_x", "_snap_auth", "_snap_inst"):
            con.execute(f"DROP TABLE IF EXISTS {t}")


def _bump_version(con) -> None:
    con.execute(
        "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
        "WHERE key = 'data_version'"
    )


def _load_merged(con, path: Path, report: IngestReport) -> None:
    """One merged-ids CSV into ``merged_ids`` (the entity from its folder or the id's letter)."""
    entity = path.parent.name if path.parent.name in ("works", "authors", "institutions") else None
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _snap_m0 AS SELECT _oa_short(id) AS old_id, "
        "_oa_short(merged_into_id) AS new_id FROM read_csv(?, header = true, all_varchar = true)",
        [str(path)],
    )
    bad = _count(con, "SELECT count(*) FROM _snap_m0 WHERE old_id IS NULL OR new_id IS NULL")
    if bad:
        _reject(report, Rejected(str(path), None, f"{bad} merged-id row(s) without both ids"))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _snap_m AS SELECT DISTINCT ON (entity, old_id) "
        "coalesce(?, CASE upper(old_id[1]) WHEN 'A' THEN 'authors' WHEN 'I' THEN 'institutions' "
        "ELSE 'works' END) AS entity, old_id, new_id "
        "FROM _snap_m0 WHERE old_id IS NOT NULL AND new_id IS NOT NULL",
        [entity],
    )
    con.execute("BEGIN")
    try:
        con.execute(
            "DELETE FROM merged_ids m WHERE EXISTS (SELECT 1 FROM _snap_m n "
            "WHERE n.entity = m.entity AND n.old_id = m.old_id)"
        )
        report.counts.merged += con.execute(
            "INSERT INTO merged_ids SELECT * FROM _snap_m"
        ).fetchone()[0]
        _bump_version(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.execute("DROP TABLE IF EXISTS _snap_m")
        con.execute("DROP TABLE IF EXISTS _snap_m0")


def _reject(report: IngestReport, r: Rejected) -> None:
    report.rejected += 1
    if len(report.rejects) < MAX_REJECTS_KEPT:
        report.rejects.append(r)


def openalex_snapshot(
    store: Store,
    root: str | Path,
    *,
    fields: tuple[str, ...] | list[str] = (),
    subfields: tuple[str, ...] | list[str] = (),
    topics: tuple[str, ...] | list[str] = (),
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
    flt = SnapshotFilter(tuple(fields), tuple(subfields), tuple(topics), since)
    parts, missing = snapshot_partitions(root)
    merged = merged_id_files(root)
    if not parts and not merged:
        raise InputError(
            f"no works partitions (part_*.gz) under {Path(root) / 'data' / 'works'}",
            hint="Download the snapshot's data/works (and data/merged_ids) first.",
        )
    progress = progress or SilentProgress()
    sig = flt.signature()
    params = {"root": str(root), "filter": sig, "force": force}
    run_id = store.begin_run(SOURCE_SNAPSHOT, params)
    report = IngestReport(source=SOURCE_SNAPSHOT, run_id=run_id)
    for r in missing:
        _reject(report, r)
    con = store.con
    started = time.perf_counter()
    todo = []
    for part in parts:
        state = store.get_progress(SOURCE_SNAPSHOT, f"{part.key}|{sig}")
        if state and state[1] and not force:
            report.skipped.append(str(part.path))
        else:
            todo.append(part)
    at_once = partitions_at_once or int(
        con.execute("SELECT current_setting('threads')").fetchone()[0]
    )
    at_once = max(1, at_once)

    def save_run(status: str, message: str | None = None) -> None:
        record_run(store, report, status, message, started)

    try:
        con.execute(Q.MACROS)
        with progress.task(f"ingest {SOURCE_SNAPSHOT}", total=len(todo) + len(merged)) as bar:
            for start in range(0, len(todo), at_once):
                group = todo[start : start + at_once]
                _load_partitions(store, group, flt, sig, report)
                bar.advance(len(group))
            for path in merged:
                key = f"{_relative(Path(root), path)}|merged"
                state = store.get_progress(SOURCE_SNAPSHOT, key)
                if state and state[1] and not force:
                    report.skipped.append(str(path))
                else:
                    try:
                        _load_merged(con, path, report)
                        store.set_progress(SOURCE_SNAPSHOT, key, None, True)
                    except duckdb.Error as exc:
                        _reject(report, Rejected(str(path), None, _first_line(exc)))
                bar.advance()
    except KeyboardInterrupt as exc:
        save_run("stopped", str(exc) or type(exc).__name__)
        raise
    except BaseException as exc:
        save_run("failed", f"{type(exc).__name__}: {exc}")
        raise
    written = report.counts.works_inserted + report.counts.works_updated
    if report.counts.merged or (written and _count(con, "SELECT count(*) FROM merged_ids")):
        store.apply_merges()  # works written again may carry ids merged earlier
    save_run("finished")
    return report


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _load_partitions(
    store: Store, group: list[Partition], flt: SnapshotFilter, sig: str, report: IngestReport
) -> None:
    """Load ``group`` together; if that fails, each alone, rejecting the unreadable ones."""
    try:
        _load_group(store.con, [p.path for p in group], flt, report)
        done = group
    except duckdb.Error as exc:
        if len(group) == 1:
            _reject(report, Rejected(str(group[0].path), None, f"cannot read: {_first_line(exc)}"))
            return
        done = []
        for part in group:
            try:
                _load_group(store.con, [part.path], flt, report)
                done.append(part)
            except duckdb.Error as exc1:
                _reject(report, Rejected(str(part.path), None, f"cannot read: {_first_line(exc1)}"))
    for part in done:
        store.set_progress(SOURCE_SNAPSHOT, f"{part.key}|{sig}", None, True)


def write_snapshot(
    works: Iterable[dict],
    root: str | Path,
    *,
    per_partition: int = 10_000,
    dates: Sequence[str] = ("2024-01-01", "2025-01-01"),
    merged_works: Sequence[tuple[str, str]] = (),
) -> list[Partition]:
    """Write OpenAlex work objects as a snapshot layout under ``root`` (benchmarks, tests).

    ``per_partition`` works a ``part_NNN.gz``, the partitions spread over the
    ``updated_date=`` folders in ``dates``; a manifest like OpenAlex's;
    ``merged_works`` (old id, new id) as ``data/merged_ids/works/<date>.csv.gz``.
    """
    root = Path(root)
    base = root / "data" / "works"
    parts: list[Partition] = []
    it = iter(works)
    while chunk := list(itertools.islice(it, per_partition)):
        folder = base / f"updated_date={dates[len(parts) % len(dates)]}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"part_{len(parts):03d}.gz"
        with gzip.open(path, "wb", compresslevel=1) as fh:
            fh.write(b"".join(orjson.dumps(w) + b"\n" for w in chunk))
        parts.append(Partition(path, _relative(root, path), len(chunk)))
    parts.sort(key=lambda p: p.key)
    entries = [
        {
            "url": f"s3://openalex/{p.key}",
            "meta": {"content_length": p.path.stat().st_size, "record_count": p.record_count},
        }
        for p in parts
    ]
    total = sum(p.record_count or 0 for p in parts)
    meta = {"content_length": sum(e["meta"]["content_length"] for e in entries)}
    (base / "manifest").write_text(
        json.dumps({"entries": entries, "meta": {**meta, "record_count": total}}, indent=1)
    )
    if merged_works:
        folder = root / "data" / "merged_ids" / "works"
        folder.mkdir(parents=True, exist_ok=True)
        with gzip.open(folder / f"{dates[-1]}.csv.gz", "wt", encoding="utf-8", newline="") as out:
            out.write("merge_date,id,merged_into_id\n")
            for old, new in merged_works:
                out.write(f"{dates[-1]},{old},{new}\n")
    return parts
