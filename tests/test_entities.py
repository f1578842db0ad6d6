"""HTML entities in source text ("Knowledge Discovery &amp; Data Mining") are decoded
once, at ingest, on the Python path (labscout.sources.text) and the DuckDB snapshot path
alike; the bundled demo corpus carries some in venues, abstracts and affiliations."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

from labscout.demo import demo_corpus_path
from labscout.ingest import openalex_files, openalex_snapshot
from labscout.sources.openalex import parse_work
from labscout.sources.text import plain
from labscout.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from snapshot_files import write_snapshot  # noqa: E402 (a benchmark helper)

TEXT_COLUMNS = {
    "works": ["title", "abstract", "venue"],
    "authors": ["display_name"],
    "institutions": ["display_name"],
    "authorships": ["raw_author_name", "array_to_string(raw_affiliation_strings, ' | ')"],
}


def _demo_records() -> list[dict]:
    with gzip.open(demo_corpus_path(), "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _entities_left(store: Store) -> dict[str, int]:
    out = {}
    for table, cols in TEXT_COLUMNS.items():
        for col in cols:
            sql = f"SELECT count(*) FROM {table} WHERE {col} LIKE '%&amp;%'"
            out[f"{table}.{col}"] = store.con.execute(sql).fetchone()[0]
    return out


def test_plain() -> None:
    assert plain("Knowledge Discovery &amp; Data Mining") == "Knowledge Discovery & Data Mining"
    assert plain("&lt;b&gt; caf&eacute; &#233;") == "<b> café é"
    assert plain("R&D without an entity") == "R&D without an entity"
    assert plain(None) is None and plain("") == ""


def test_parse_work_decodes_entities() -> None:
    raw = [r for r in _demo_records() if "&amp;" in json.dumps(r)]
    assert raw, "the demo corpus has works with entities"
    for record in raw:
        for rec in parse_work(record):
            assert "&amp;" not in repr(rec), rec


def test_files_and_snapshot_paths_store_decoded_text(tmp_path: Path) -> None:
    records = _demo_records()
    write_snapshot(records, tmp_path / "openalex", per_partition=100)
    with Store(":memory:") as files, Store(":memory:") as snap:
        openalex_files(files, [demo_corpus_path()], force=True)
        openalex_snapshot(snap, tmp_path / "openalex")
        for store in (files, snap):
            assert set(_entities_left(store).values()) == {0}
            venues = [r[0] for r in store.con.execute("SELECT venue FROM works").fetchall()]
            assert "Knowledge Discovery & Data Mining" in " ".join(v or "" for v in venues)
