from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from labscout.evaluation.resample import resample_openalex_works, write_jsonl
from labscout.ingest import openalex_files
from labscout.store import Store


def test_sample_twice_gives_195_works_with_institutions(store, openalex_works_file) -> None:
    raw = json.loads(openalex_works_file.read_text())
    n_with_inst = sum(
        1 for w in raw for a in w["authorships"] if any(i.get("id") for i in a["institutions"])
    )
    first = openalex_files(store, [openalex_works_file])
    counts = store.counts()
    second = openalex_files(store, [openalex_works_file], force=True)
    assert counts["works"] == 195 and store.counts() == {**counts, "ingest_runs": 2}
    assert (first.counts.works_inserted, second.counts.works_updated) == (195, 195)
    assert counts["authorships"] == sum(len(w["authorships"]) for w in raw) == 1049
    kept = store.con.execute(
        "SELECT count(*) FROM authorships WHERE len(institution_ids) > 0"
    ).fetchone()[0]
    assert kept == n_with_inst


def test_finished_file_is_skipped_on_rerun(store, openalex_works_file) -> None:
    openalex_files(store, [openalex_works_file])
    again = openalex_files(store, [openalex_works_file])
    assert again.read == 0 and again.skipped == [str(openalex_works_file)]


def test_abstract_is_rebuilt_from_inverted_index(store, openalex_works_file) -> None:
    openalex_files(store, [openalex_works_file])
    w = store.get_work("W3140854437")
    assert w.abstract.startswith("In the last few years, the deep learning (DL) computing")
    assert w.venue == "Journal Of Big Data" and w.publication_year == 2021


def test_entity_fixtures_and_unknown_types(store, shared_data) -> None:
    report = openalex_files(store, [shared_data / "openalex" / "entities"])
    # Work, Author, deleted-author stub and Institution are kept; the 6 other types rejected
    assert report.rejected == 6
    assert all("unknown entity type" in r.reason for r in report.rejects)
    assert store.get_author("A5023888391").is_full
    assert store.get_institution("I27837315").display_name


def test_jsonl_gz_with_bad_lines(store, tmp_path, openalex_works_file) -> None:
    works = json.loads(openalex_works_file.read_text())[:3]
    path = tmp_path / "part_000.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(orjson.dumps(works[0]) + b"\n")
        fh.write(b'{"id": "https://openalex.org/W1", "title": \n')  # malformed
        fh.write(orjson.dumps({"title": "no id"}) + b"\n")
        fh.write(orjson.dumps({"id": "https://openalex.org/X9"}) + b"\n")
        fh.write(orjson.dumps(works[1]) + b"\n")
    report = openalex_files(store, [path])
    assert report.read == 5 and report.rejected == 3
    assert [r.line for r in report.rejects] == [2, 3, 4]
    reasons = " | ".join(r.reason for r in report.rejects)
    assert "malformed JSON" in reasons and "without an id" in reasons and "unknown" in reasons
    assert store.counts()["works"] == 2


def test_truncated_gzip_keeps_what_was_read(store, tmp_path, openalex_works_file) -> None:
    works = json.loads(openalex_works_file.read_text())
    full = tmp_path / "full.jsonl.gz"
    write_jsonl(iter(works), full)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    store.write  # noqa: B018 - the store already holds nothing
    openalex_files(store, [openalex_works_file])  # data stored before must survive
    report = openalex_files(store, [cut])
    assert report.rejected == 1 and "gzip" in report.rejects[0].reason
    assert report.read > 1
    assert store.counts()["works"] == 195


def test_json_list_streams_and_cut_list_is_reported(store, tmp_path, openalex_works_file) -> None:
    text = openalex_works_file.read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(text[: len(text) // 2])
    report = openalex_files(store, [cut])
    assert report.rejected == 1 and "ends early" in report.rejects[0].reason
    assert 50 < store.counts()["works"] < 195


def test_merged_ids_csv(store, tmp_path, openalex_works_file) -> None:
    openalex_files(store, [openalex_works_file])
    merged = tmp_path / "merged_ids" / "works"
    merged.mkdir(parents=True)
    with gzip.open(merged / "2024-01-01.csv.gz", "wt") as fh:
        fh.write("merge_date,id,merged_into_id\n2024-01-01,W999,W3140854437\n")
    report = openalex_files(store, [tmp_path / "merged_ids"])
    assert report.counts.merged == 1
    assert store.get_work("W999").id == "W3140854437"


def test_missing_path_is_input_error(store, tmp_path) -> None:
    from labscout.errors import InputError

    with pytest.raises(InputError):
        openalex_files(store, [tmp_path / "nope.json"])


@pytest.mark.slow
def test_kill_9_then_rerun_gives_same_counts(tmp_path, openalex_works_file) -> None:
    works = json.loads(openalex_works_file.read_text())
    data = tmp_path / "works.jsonl"
    write_jsonl(resample_openalex_works(works, 30_000), data)
    env = {**os.environ, "LABSCOUT_BATCH_SIZE": "500"}
    cmd = [sys.executable, "-m", "labscout", "ingest", "openalex-files", str(data), "-q"]

    killed_db = tmp_path / "killed.duckdb"
    proc = subprocess.Popen([*cmd, "--db", str(killed_db)], env=env)
    wal = Path(str(killed_db) + ".wal")
    deadline = time.time() + 60
    # wait until a few batches are committed, then kill without warning
    while time.time() < deadline and proc.poll() is None:
        size = (wal.stat().st_size if wal.exists() else 0) + (
            killed_db.stat().st_size if killed_db.exists() else 0
        )
        if size > 8_000_000:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed: make the file larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Store(killed_db) as s:
        partial = s.counts()["works"]
        assert s.last_runs(1)[0]["status"] == "running"  # never finished
    assert 0 < partial < 30_000

    subprocess.run([*cmd, "--db", str(killed_db)], env=env, check=True)
    clean_db = tmp_path / "clean.duckdb"
    subprocess.run([*cmd, "--db", str(clean_db)], env=env, check=True)
    with Store(killed_db) as a, Store(clean_db) as b:
        ca, cb = a.counts(), b.counts()
    ca.pop("ingest_runs"), cb.pop("ingest_runs")
    assert ca == cb and ca["works"] == 30_000
