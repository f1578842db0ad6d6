"""The snapshot path (DuckDB's JSON reader) against the files path, filters, resume."""

from __future__ import annotations

import copy
import gzip
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from labscout.cli import app
from labscout.errors import InputError
from labscout.ingest import openalex_files, openalex_snapshot
from labscout.ingest import snapshot as snapshot_mod
from labscout.ingest.snapshot import SnapshotFilter, snapshot_partitions
from labscout.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from snapshot_files import write_snapshot  # noqa: E402 (a benchmark helper, not the package)

TABLES = {
    "works": "* EXCLUDE (updated_at)",
    "authorships": "*",
    "authors": "* EXCLUDE (updated_at)",
    "institutions": "* EXCLUDE (updated_at)",
    "work_ids": "*",
    "merged_ids": "*",
}


def _topic(entity: dict, score: float) -> dict:
    return {k: entity[k] for k in ("id", "display_name", "subfield", "field", "domain")} | {
        "score": score
    }


@pytest.fixture
def records(shared_data: Path) -> list[dict]:
    """The 195 real ML works, plus a full 2025-schema work; topics on some of them.

    The sample was exported without topics, so every third work gets the real
    topic T11636 (field 27, subfield 2718) and every fifth the real topics of
    W2741809807 (T10102: field 18, subfield 1804, ...), to exercise the filters.
    """
    oa = shared_data / "openalex"
    works = json.loads((oa / "works_ml_sample.json").read_text())
    full = json.loads((oa / "entities" / "W2741809807.json").read_text())
    health = _topic(json.loads((oa / "entities" / "T11636.json").read_text()), 0.9)
    out = []
    for i, w in enumerate(works):
        w = copy.deepcopy(w)
        topics = []
        if i % 3 == 0:
            topics.append(health)
        if i % 5 == 0:
            topics.extend(full["topics"])
        if topics:
            w["topics"] = topics
        out.append(w)
    return [*out, full]


@pytest.fixture
def snapshot(tmp_path: Path, records: list[dict]) -> Path:
    """3 partitions over 2 updated_date folders, one work updated in the later one,
    and a merged-ids CSV that merges one stored work into another."""
    root = tmp_path / "openalex"
    updated = copy.deepcopy(records[5])
    updated["title"] = "An updated title"
    updated["cited_by_count"] = 1
    # partitions of 70: part_000 and part_002 are 2024-01-01, part_001 2025-01-01
    works = records[:75] + [updated] + records[75:]
    merged = [(records[10]["id"], records[11]["id"]), ("W1", records[12]["id"])]
    write_snapshot(works, root, per_partition=70, merged_works=merged)
    return root


def _rows(store: Store) -> dict[str, set]:
    return {
        table: {repr(r) for r in store.con.execute(f"SELECT {cols} FROM {table}").fetchall()}
        for table, cols in TABLES.items()
    }


def test_snapshot_layout(snapshot: Path) -> None:
    parts, missing = snapshot_partitions(snapshot)
    assert [p.key for p in parts] == [
        "data/works/updated_date=2024-01-01/part_000.gz",
        "data/works/updated_date=2024-01-01/part_002.gz",
        "data/works/updated_date=2025-01-01/part_001.gz",
    ]
    assert sum(p.record_count for p in parts) == 197 and not missing


def test_same_store_as_files_path(snapshot: Path, records: list[dict]) -> None:
    with Store(":memory:") as a, Store(":memory:") as b:
        ra = openalex_snapshot(a, snapshot)
        rb = openalex_files(b, [snapshot])
        assert ra.status == "finished" and ra.rejected == 0 and rb.rejected == 0
        assert ra.read == 197
        assert ra.counts.works_inserted == rb.counts.works_inserted
        assert ra.counts.authors_inserted == rb.counts.authors_inserted
        assert ra.counts.institutions_inserted == rb.counts.institutions_inserted
        rows_a, rows_b = _rows(a), _rows(b)
        for table in TABLES:
            assert rows_a[table] == rows_b[table], table
        # the checks above compare something real
        counts = a.counts()
        assert counts["works"] == 195  # 196 distinct works, one merged into another
        assert counts["authorships"] > 1000 and counts["institutions"] > 300
        assert counts["works_with_abstract"] == 195
        # the later partition's copy of the updated work won; the merged work is gone
        assert a.get_work(records[5]["id"].rsplit("/", 1)[1]).title == "An updated title"
        old = records[10]["id"].rsplit("/", 1)[1]
        assert a.con.execute("SELECT count(*) FROM works WHERE id = ?", [old]).fetchone()[0] == 0
        assert a.resolve_id("works", old) == records[11]["id"].rsplit("/", 1)[1]
        full = a.get_work("W2741809807")
        assert ("pmid", "29456894") in full.ids and ("mag", "2741809807") in full.ids
        assert full.topics[0].id == "T10102" and full.abstract.startswith("Despite growing")


def _expected(records: list[dict], flt) -> set[str]:
    return {r["id"].rsplit("/", 1)[1] for r in records if flt(r)}


def _topic_ids(r: dict, part: str | None) -> set[str]:
    out = set()
    for t in r.get("topics") or ():
        value = t[part]["id"] if part else t["id"]
        out.add(value.rsplit("/", 1)[1])
    return out


@pytest.mark.parametrize(
    ("kwargs", "keep"),
    [
        ({"fields": ["27"]}, lambda r: "27" in _topic_ids(r, "field")),
        ({"fields": ["https://openalex.org/fields/18"]}, lambda r: "18" in _topic_ids(r, "field")),
        ({"subfields": ["2718", "1804"]}, lambda r: {"2718", "1804"} & _topic_ids(r, "subfield")),
        ({"topics": ["t10102"]}, lambda r: "T10102" in _topic_ids(r, None)),
        ({"since": 2022}, lambda r: r["publication_year"] >= 2022),
        (
            {"fields": ["27"], "since": 2021},
            lambda r: "27" in _topic_ids(r, "field") and r["publication_year"] >= 2021,
        ),
    ],
)
def test_filters(tmp_path: Path, records: list[dict], kwargs: dict, keep) -> None:
    root = tmp_path / "snap"
    write_snapshot(records, root, per_partition=80)
    expected = _expected(records, keep)
    assert 0 < len(expected) < len(records)
    with Store(":memory:") as store:
        report = openalex_snapshot(store, root, **kwargs)
        got = {r[0] for r in store.con.execute("SELECT id FROM works").fetchall()}
        assert got == expected
        assert report.read == len(records) and report.counts.works_inserted == len(expected)
        # authorships only for the works kept
        n = store.con.execute(
            "SELECT count(*) FROM authorships WHERE work_id NOT IN (SELECT id FROM works)"
        ).fetchone()[0]
        assert n == 0


def test_filter_signature() -> None:
    a = SnapshotFilter(fields=("17", "fields/12"), since=2015)
    b = SnapshotFilter(fields=("https://openalex.org/fields/12", "17"), since=2015)
    assert a.signature() == b.signature() == "field=12,17;since=2015"
    assert SnapshotFilter().signature() == "all"


def test_resume_per_partition(
    snapshot: Path, records: list[dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(":memory:") as full:
        openalex_snapshot(full, snapshot)
        want = _rows(full)
    real = snapshot_mod._load_group
    calls: list[list[Path]] = []

    def stop_at_second(con, paths, flt, report):
        calls.append(paths)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(con, paths, flt, report)

    with Store(":memory:") as store:
        monkeypatch.setattr(snapshot_mod, "_load_group", stop_at_second)
        with pytest.raises(KeyboardInterrupt):
            openalex_snapshot(store, snapshot, partitions_at_once=1)
        assert store.last_runs(1)[0]["status"] == "stopped"
        assert store.counts()["works"] == 70  # the first partition only
        monkeypatch.setattr(snapshot_mod, "_load_group", real)
        again = openalex_snapshot(store, snapshot, partitions_at_once=1)
        assert len(again.skipped) == 1 and again.status == "finished"
        assert again.read == 127
        assert _rows(store) == want
        # everything done: a third run reads nothing; another filter is another job
        third = openalex_snapshot(store, snapshot)
        assert third.read == 0 and len(third.skipped) == 4  # 3 partitions + the merged ids
        other = openalex_snapshot(store, snapshot, since=2020)
        assert other.read == 197 and len(other.skipped) == 1
        forced = openalex_snapshot(store, snapshot, force=True)
        # only the work merged away comes back (and goes again with the merges)
        assert forced.read == 197 and forced.counts.works_inserted == 1
        assert _rows(store) == want


def test_broken_and_missing_partitions(snapshot: Path) -> None:
    parts, _ = snapshot_partitions(snapshot)
    data = parts[1].path.read_bytes()
    parts[1].path.write_bytes(data[: len(data) // 2])  # a cut download
    parts[2].path.unlink()
    with Store(":memory:") as store:
        report = openalex_snapshot(store, snapshot)
        assert report.status == "finished"
        reasons = {Path(r.location).name: r.reason for r in report.rejects}
        assert "cannot read" in reasons["part_002.gz"]
        assert reasons["part_001.gz"] == "listed in the manifest but not on disk"
        assert store.counts()["works"] == 70 - 1  # part_000, less the merged work
        # the broken partition is not marked done: fixed, it loads on the next run
        parts[1].path.write_bytes(data)
        again = openalex_snapshot(store, snapshot)
        assert again.counts.works_inserted == 57 and len(again.skipped) == 2


def test_bad_lines_are_rejected(tmp_path: Path, records: list[dict]) -> None:
    root = tmp_path / "snap"
    write_snapshot([*records[:3], {"title": "no id"}, {"id": "https://openalex.org/A1"}], root)
    with Store(":memory:") as store:
        report = openalex_snapshot(store, root)
        assert report.read == 5 and store.counts()["works"] == 3
        assert report.rejected == 1 and "2 line(s) without a work id" in report.rejects[0].reason


def test_no_snapshot(tmp_path: Path) -> None:
    with Store(":memory:") as store, pytest.raises(InputError, match="no OpenAlex snapshot"):
        openalex_snapshot(store, tmp_path)
    (tmp_path / "data" / "works").mkdir(parents=True)
    with Store(":memory:") as store, pytest.raises(InputError, match="no works partitions"):
        openalex_snapshot(store, tmp_path)


def test_without_manifest(snapshot: Path) -> None:
    (snapshot / "data" / "works" / "manifest").unlink()
    parts, missing = snapshot_partitions(snapshot)
    assert len(parts) == 3 and not missing and parts[0].record_count is None


def test_cli(snapshot: Path, tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    args = ["ingest", "openalex-snapshot", str(snapshot), "--db", str(db), "--json"]
    result = CliRunner().invoke(app, [*args, "--field", "27", "--since", "2019", "--at-once", "1"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["source"] == "openalex-snapshot" and out["works_inserted"] > 0
    result = CliRunner().invoke(app, ["ingest", "openalex-snapshot", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no OpenAlex snapshot" in result.output


def test_gzip_lines_are_plain_json_lines(snapshot: Path) -> None:
    parts, _ = snapshot_partitions(snapshot)
    with gzip.open(parts[0].path, "rt") as fh:
        first = json.loads(fh.readline())
    assert first["id"].startswith("https://openalex.org/W")
