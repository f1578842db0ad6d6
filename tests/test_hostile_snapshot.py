"""Hostile OpenAlex snapshots: one bad record rejects that record, not its partition."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from labscout.errors import InputError
from labscout.ingest import openalex_snapshot
from labscout.store import Store


def _work(n: int, **fields) -> dict:
    d = {
        "id": f"https://openalex.org/W{n}",
        "title": f"Work {n}",
        "publication_year": 2020,
        "topics": [
            {
                "id": "https://openalex.org/T1",
                "display_name": "T",
                "score": 0.9,
                "subfield": {"id": "https://openalex.org/subfields/1702"},
                "field": {"id": "https://openalex.org/fields/17"},
            }
        ],
        "authorships": [
            {"author_position": "first", "author": {"id": f"https://openalex.org/A{n}"}}
        ],
    }
    d.update(fields)
    return d


def _part(root: Path, name: str, lines: list[str]) -> Path:
    folder = root / "data" / "works" / "updated_date=2024-01-01"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


BAD_LINES = {
    "year past 2^31": json.dumps(_work(3, publication_year=3000000000)),
    "malformed line": '{"id": "https://openalex.org/W3", "title": ',
    "authorships a string": json.dumps(_work(3, authorships="nobody")),
}


@pytest.mark.parametrize("bad", BAD_LINES.values(), ids=BAD_LINES.keys())
def test_bad_record_rejects_the_record_only(tmp_path: Path, bad: str) -> None:
    root = tmp_path / "snap"
    lines = [json.dumps(_work(n)) for n in range(1, 6)]
    lines[2] = bad
    _part(root, "part_000.gz", lines)
    _part(root, "part_001.gz", [json.dumps(_work(n)) for n in (6, 7)])
    with Store(":memory:") as store:
        report = openalex_snapshot(store, root)
        assert report.status == "finished"
        ids = {r[0] for r in store.con.execute("SELECT id FROM works").fetchall()}
        assert ids == {"W1", "W2", "W4", "W5", "W6", "W7"}
        assert report.rejected == 1 and report.rejects[0].line == 3
        assert report.rejects[0].location.endswith("part_000.gz")
        again = openalex_snapshot(store, root)  # both partitions are done: a rerun skips them
        assert len(again.skipped) == 2 and again.read == 0


def test_fallback_keeps_the_filter(tmp_path: Path) -> None:
    root = tmp_path / "snap"
    lines = [json.dumps(_work(1)), BAD_LINES["year past 2^31"], json.dumps(_work(2, topics=[]))]
    _part(root, "part_000.gz", lines)
    with Store(":memory:") as store:
        report = openalex_snapshot(store, root, fields=("17",))
        assert report.rejected == 1
        ids = {r[0] for r in store.con.execute("SELECT id FROM works").fetchall()}
        assert ids == {"W1"}  # W2 has no topic in field 17


@pytest.mark.parametrize(
    "manifest", ['{"entries": [1, 2]}', '{"entries": [{"url": 5, "meta": "x"}]}', "\x00\xff"]
)
def test_damaged_manifest_is_one_error(tmp_path: Path, manifest: str) -> None:
    root = tmp_path / "snap"
    _part(root, "part_000.gz", [json.dumps(_work(1))])
    (root / "data" / "works" / "manifest").write_text(manifest, encoding="latin-1")
    with Store(":memory:") as store:
        try:
            report = openalex_snapshot(store, root)
        except InputError as exc:
            assert "manifest" in exc.message
        else:
            assert report.status == "finished"
