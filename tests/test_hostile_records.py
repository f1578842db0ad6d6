"""Mistyped records in every source's real format: each is rejected with its file and
line, the rest of the file is stored, and a rerun does not die at the same record."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from labscout.ingest import openalex_files, paperlists, s2_files, table
from labscout.store import Store


def _work(n: int, **fields: Any) -> dict[str, Any]:
    d = {
        "id": f"https://openalex.org/W{n}",
        "title": f"Work number {n}",
        "publication_year": 2020,
        "cited_by_count": 3,
        "language": "en",
        "type": "article",
        "publication_date": "2020-01-01",
        "primary_location": {"source": {"id": "https://openalex.org/S1", "display_name": "J"}},
        "topics": [{"id": "https://openalex.org/T1", "display_name": "Topic", "score": 0.9}],
        "authorships": [
            {
                "author_position": "first",
                "author": {"id": f"https://openalex.org/A{n}", "display_name": "Ann Author"},
                "institutions": [{"id": "https://openalex.org/I1", "display_name": "Uni"}],
            }
        ],
    }
    d.update(fields)
    return d


def _jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def _works(store: Store) -> int:
    return store.con.execute("SELECT count(*) FROM works").fetchone()[0]


def test_one_mistyped_record_in_5001_is_rejected_with_its_line(
    store: Store, tmp_path: Path
) -> None:
    records = [_work(n) for n in range(1, 5002)]
    records[3000] = {"id": "https://openalex.org/W1", "title": 12345}
    f = _jsonl(tmp_path / "works.jsonl", records)
    report = openalex_files(store, [f])
    assert report.status == "finished"
    assert _works(store) == 5000
    assert report.rejected == 1
    (r,) = report.rejects
    assert (r.location, r.line) == (str(f), 3001) and (
        "title" in r.reason or "malformed" in r.reason
    )
    again = openalex_files(store, [f], force=True)  # a rerun does not die either
    assert again.status == "finished" and again.rejected == 1 and _works(store) == 5000


def _bad_author(**a: Any) -> dict[str, Any]:
    base = {"author_position": "first", "author": {"id": "https://openalex.org/A9"}}
    base.update(a)
    return {"authorships": [base]}


MISTYPED = {
    "title number": {"title": 12345},
    "language number": {"language": 7},
    "type number": {"type": 7},
    "date number": {"publication_date": 20200101},
    "author name number": _bad_author(author={"id": "https://openalex.org/A9", "display_name": 5}),
    "raw author name number": _bad_author(raw_author_name=5),
    "position number": _bad_author(author_position=1),
    "institution name number": _bad_author(
        institutions=[{"id": "https://openalex.org/I9", "display_name": 5}]
    ),
    "venue number": {"primary_location": {"source": {"id": "S1", "display_name": 5}}},
    "topic name number": {"topics": [{"id": "T1", "display_name": 5, "score": 1}]},
    "year past 2^31": {"publication_year": 3000000000},
    "citations past 2^31": {"cited_by_count": 99999999999},
    "year Infinity": {"publication_year": "Infinity"},
    "year 1e999": {"publication_year": "1e999"},
    "year superscript": {"publication_year": "²²"},
    "concepts bomb": {"concepts": "[" * 100_000 + "]" * 100_000},
    "topic score inf": {"topics": [{"id": "T1", "display_name": "x", "score": "inf"}]},
    "no title": {"title": None, "display_name": None},
}


@pytest.mark.parametrize("fields", MISTYPED.values(), ids=MISTYPED.keys())
def test_mistyped_openalex_field_rejects_the_record_only(
    store: Store, tmp_path: Path, fields: dict[str, Any]
) -> None:
    f = _jsonl(tmp_path / "w.jsonl", [_work(1), _work(2, **fields), _work(3)])
    report = openalex_files(store, [f])
    assert report.status == "finished"
    assert report.rejected == 1 and report.rejects[0].line == 2, report.rejects
    assert _works(store) == 2


def _paperlist(tmp_path: Path, bad: dict[str, Any]) -> Path:
    good = {"id": "p1", "title": "Good paper", "author": "Ann A; Bob B"}
    f = tmp_path / "iclr2024.json.gz"
    with gzip.open(f, "wt", encoding="utf-8") as fh:
        json.dump([good, {"id": "p2", "title": "Bad paper", **bad}, {**good, "id": "p3"}], fh)
    return f


@pytest.mark.parametrize(
    "bad",
    [
        {"author": ["Ann A", "Bob B"]},
        {"author": "Ann A", "aff_unique_index": "²", "aff_unique_norm": "Uni"},
        {"author": "Ann A", "gs_citation": 99999999999},
        {"author": "Ann A", "title": 12345},
    ],
    ids=["author list", "index superscript", "citations past 2^31", "title number"],
)
def test_mistyped_paperlist_record(store: Store, tmp_path: Path, bad: dict[str, Any]) -> None:
    report = paperlists(store, [_paperlist(tmp_path, bad)], match=False)
    assert report.status == "finished"
    assert _works(store) in (2, 3)  # a coercible field may be kept; never a traceback
    assert report.read == 3 and report.rejected == 3 - _works(store)


def test_s2_aliases_number_and_year_superscript(store: Store, tmp_path: Path) -> None:
    (tmp_path / "participants").mkdir()
    (tmp_path / "papers").mkdir()
    (tmp_path / "participants" / "1.json").write_text(
        json.dumps({"authorId": "1", "name": "Ann A", "aliases": 5, "papers": []})
    )
    pid = "a" * 40
    (tmp_path / "papers" / f"{pid}.json").write_text(
        json.dumps({"paperId": pid, "title": "T", "year": "²²", "authors": ["Ann A"]})
    )
    (tmp_path / "papers" / f"{'b' * 40}.json").write_text(
        json.dumps({"paperId": "b" * 40, "title": "Good", "year": 2020, "authors": ["Ann A"]})
    )
    report = s2_files(store, tmp_path, match=False)
    assert report.status == "finished"
    assert _works(store) >= 1 and report.read == 3


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ("x" * 200_000, "field larger"),
        ("inf", None),
    ],
    ids=["cell over 128 KB", "year inf"],
)
def test_table_cells(store: Store, tmp_path: Path, row: str, why: str | None) -> None:
    f = tmp_path / "t.csv"
    cell = row if why else "A paper"
    year = "inf" if not why else "2020"
    f.write_text(
        f"title,authors,year\nGood one,Ann A,2020\n{cell},Bob B,{year}\nGood two,Cy C,2021\n",
        encoding="utf-8",
    )
    report = table(store, f, "title=title,authors=authors,year=year", match=False)
    assert report.status == "finished"
    if why:
        assert report.rejected == 1 and why in report.rejects[0].reason
        assert report.rejects[0].line == 3
    assert _works(store) == 3 - report.rejected


def test_partial_record_never_wipes_a_complete_one(store: Store, tmp_path: Path) -> None:
    full = _work(7, abstract_inverted_index={"A": [0], "study": [1]}, doi="10.1/x")
    openalex_files(store, [_jsonl(tmp_path / "a.jsonl", [full])])
    bare = _jsonl(tmp_path / "b.jsonl", [{"id": "https://openalex.org/W7"}])
    report = openalex_files(store, [bare])
    assert report.rejected == 1 and "without a title" in report.rejects[0].reason
    assert report.counts.works_updated == 0
    thin = _jsonl(tmp_path / "c.jsonl", [{"id": "https://openalex.org/W7", "title": "New title"}])
    report = openalex_files(store, [thin])
    assert report.counts.works_updated == 1
    w = store.get_work("W7")
    assert w.title == "New title"  # what the record carries replaces
    assert w.abstract == "A study" and w.doi == "10.1/x" and w.venue == "J"  # nothing wipes
    assert w.publication_year == 2020 and [t.id for t in w.topics] == ["T1"]
    assert [a.author_id for a in w.authorships] == ["A7"]


def test_numbers_past_64_bits_or_double_range_reject_their_item_only(
    store: Store, tmp_path: Path
) -> None:
    """ijson's C parser with use_float=True stopped the whole list at such a number
    (found by tests/test_hostile_property.py): the items after it were never read."""
    f = tmp_path / "iclr2024.json"
    f.write_text(
        "["
        '{"id": "p1", "title": "A paper", "status": 9223372036854775808},'
        '{"id": "p2", "title": "Another paper", "gs_citation": 1e999},'
        '{"id": "p3", "title": "A third paper", "author": "Ann A", "gs_citation": 2.5}'
        "]"
    )
    report = paperlists(store, [f], match=False)
    assert report.read == 3
    assert report.counts.works_inserted + report.rejected == 3
    assert report.counts.works_inserted >= 1  # the third paper at least
    assert store.counts()["works"] == report.counts.works_inserted


def test_a_blank_first_line_of_json_lines_is_no_record(store: Store, tmp_path: Path) -> None:
    """Found by the Hypothesis suite: a whitespace-only first line was rejected as a
    malformed record (the later blank lines were already skipped)."""
    f = tmp_path / "w.jsonl"
    f.write_bytes(b'\t\n{"id": "https://openalex.org/W1", "title": "A work"}\n')
    report = openalex_files(store, [f])
    assert (report.read, report.rejected) == (1, 0)
    assert store.counts()["works"] == 1


def test_a_lone_bracket_before_json_lines_rejects_that_line_only(
    store: Store, tmp_path: Path
) -> None:
    """Found by the Hypothesis suite: ``[`` alone on line 1, then one object per line, was
    read as a JSON list broken at item 2, and every later record was lost."""
    f = tmp_path / "w.jsonl"
    lines = [b"["] + [json.dumps(_work(n)).encode() for n in range(1, 4)]
    f.write_bytes(b"\n".join(lines) + b"\n")
    report = openalex_files(store, [f])
    assert [r.line for r in report.rejects] == [1]
    assert (report.read, store.counts()["works"]) == (4, 3)


def test_a_list_written_one_item_per_line_is_still_a_list(store: Store, tmp_path: Path) -> None:
    """The lone-bracket rule leaves real lists alone: one item, or items ending in commas."""
    one = tmp_path / "one.json"
    one.write_bytes(b"[\n" + json.dumps(_work(1)).encode() + b"\n]\n")
    many = tmp_path / "many.json"
    items = [json.dumps(_work(n)).encode() for n in range(2, 5)]
    many.write_bytes(b"[\n" + b",\n".join(items) + b"\n]\n")
    report = openalex_files(store, [one, many])
    assert (report.read, report.rejected) == (4, 0)
    assert store.counts()["works"] == 4


def test_a_lone_bracket_before_long_gzipped_json_lines(store: Store, tmp_path: Path) -> None:
    """The lone-bracket rule reads its own two lines: a gzip reader buffers only 8 KB, and
    a first record longer than that was still read as a list broken at item 2."""
    f = tmp_path / "w.jsonl.gz"
    long = "word " * 4000  # about 20 KB an abstract
    lines = [b"["] + [json.dumps(_work(n, abstract=long)).encode() for n in range(1, 4)]
    f.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    report = openalex_files(store, [f])
    assert [r.line for r in report.rejects] == [1]
    assert store.counts()["works"] == 3
