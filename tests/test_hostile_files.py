"""Hostile JSON files: nesting bombs, a malformed first line, folders named like files."""

from __future__ import annotations

import json
import resource
from pathlib import Path

from labscout.ingest import openalex_files, paperlists
from labscout.records import Rejected
from labscout.sources.jsonfiles import MAX_DEPTH, iter_json_records
from labscout.store import Store


def _work(n: int) -> dict:
    return {"id": f"https://openalex.org/W{n}", "title": f"Work {n}"}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_deeply_nested_list_item_is_rejected_without_memory_blowup(tmp_path: Path) -> None:
    f = tmp_path / "nested.json"
    depth = 200_000  # 400 KB: took 21 GB before the cap
    f.write_text(
        "["
        + json.dumps(_work(1))
        + ","
        + "[" * depth
        + "]" * depth
        + ","
        + json.dumps(_work(2))
        + "]"
    )
    before = _rss_mb()
    items = list(iter_json_records(f))
    assert _rss_mb() - before < 500  # no blow-up (the uncapped read needs gigabytes)
    assert [i[0] for i in items if not isinstance(i, Rejected)] == [1, 3]
    (bad,) = [i for i in items if isinstance(i, Rejected)]
    assert bad.line == 2 and f"deeper than {MAX_DEPTH}" in bad.reason


def test_deeply_nested_paperlist_stores_the_rest(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "iclr2024.json"
    good = {"title": "A paper", "author": "Ann A"}
    deep = "[" * 50_000 + "]" * 50_000
    f.write_text(f"[{json.dumps(good)}, {deep}, {json.dumps({**good, 'title': 'B paper'})}]")
    report = paperlists(store, [f], match=False)
    assert report.status == "finished" and report.rejected == 1
    assert store.con.execute("SELECT count(*) FROM works").fetchone()[0] == 2


def test_deep_json_line_is_rejected(tmp_path: Path) -> None:
    f = tmp_path / "w.jsonl"
    f.write_text(json.dumps(_work(1)) + "\n" + "[" * 100_000 + "]" * 100_000 + "\n")
    items = list(iter_json_records(f))
    assert isinstance(items[1], Rejected) and items[1].line == 2


def test_malformed_first_line_rejects_only_that_line(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "w.jsonl"
    lines = ['{"id": "https://openalex.org/W1", "title": ']  # cut
    lines += [json.dumps(_work(n)) for n in range(2, 6)]
    f.write_text("\n".join(lines) + "\n")
    report = openalex_files(store, [f])
    assert report.read == 5 and report.rejected == 1 and report.rejects[0].line == 1
    assert store.con.execute("SELECT count(*) FROM works").fetchone()[0] == 4


def test_first_two_lines_malformed(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "w.jsonl"
    f.write_text('{"id": \n{"id": 2,\n' + "\n".join(json.dumps(_work(n)) for n in (3, 4)) + "\n")
    report = openalex_files(store, [f])
    assert report.rejected == 2 and [r.line for r in report.rejects] == [1, 2]
    assert store.con.execute("SELECT count(*) FROM works").fetchone()[0] == 2


def test_pretty_printed_document_still_reads(tmp_path: Path) -> None:
    f = tmp_path / "page.json"
    f.write_text(json.dumps({"results": [_work(1), _work(2)]}, indent=2))
    assert [i[0] for i in iter_json_records(f)] == [1, 2]


def test_folder_named_like_a_json_file(store: Store, tmp_path: Path) -> None:
    d = tmp_path / "works.json"
    d.mkdir()
    (d / "part.jsonl").write_text(json.dumps(_work(1)) + "\n")
    report = openalex_files(store, [d])
    assert report.status == "finished" and report.counts.works_inserted == 1
