"""Property-based: malformed records of every source's real format thrown at the readers.

For each source a valid record is mutated field by field (wrong types, numbers past
32 bits, odd strings, nesting, missing fields) and some lines are replaced by bytes
that are not JSON. Whatever comes, the ingest:

- raises nothing but a :class:`LabscoutError`;
- never lowers what the store holds (a good run first, then the hostile one);
- reports every line it could not parse, with its line number;
- counts every record it read (stored or rejected).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labscout.errors import LabscoutError
from labscout.ingest import (
    arxiv_snapshot,
    dblp_xml,
    openalex_files,
    openreview_archives,
    paperlists,
    s2_files,
    table,
)
from labscout.ingest.report import IngestReport
from labscout.store import Store

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    # CI runs the same examples every time (a landing must not hang on a random draw);
    # LABSCOUT_HYPOTHESIS_RANDOM=1 explores new ones, as a developer hunting bugs would
    derandomize=not os.environ.get("LABSCOUT_HYPOTHESIS_RANDOM"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

ODD = st.sampled_from(
    ["", " ", "Infinity", "1e999", "-1", "²²", "NaN", "\u0000", "\ud7ff", "[" * 50, "null"]
)
SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    ODD,
)
JSON = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def mutated(base: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """``base``, each field kept, replaced by hostile JSON, mutated within, or dropped."""
    if isinstance(base, dict) and depth < 3:
        fields = {k: st.one_of(st.just(v), JSON, mutated(v, depth + 1)) for k, v in base.items()}
        # the top record keeps its id: the hostile run meets the record the good run stored
        keep = {k: st.just(base[k]) for k in ("id", "paperId", "authorId") if k in base}
        if depth:
            keep = {}
        optional = {k: v for k, v in fields.items() if k not in keep}
        return st.fixed_dictionaries(keep, optional=optional)
    if isinstance(base, list) and base and depth < 3:
        return st.lists(mutated(base[0], depth + 1), max_size=3)
    return st.one_of(st.just(base), JSON)


def lines_of(base: dict, n: int = 4) -> st.SearchStrategy[list[bytes]]:
    """``n`` JSON lines of mutated records, some replaced by bytes that are not JSON."""
    record = mutated(base).map(lambda d: json.dumps(d).encode())
    junk = st.binary(min_size=1, max_size=30).filter(lambda b: b"\n" not in b and b"\r" not in b)
    return st.lists(st.one_of(record, record, junk), min_size=1, max_size=n)


def _parses(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def _counts(store: Store) -> dict[str, int]:
    c = store.counts()
    return {k: c[k] for k in ("works", "authors", "institutions")}


def check(
    good: Callable[[Store], IngestReport], hostile: Callable[[Store], IngestReport]
) -> IngestReport | None:
    """A good run, then the hostile one: only LabscoutError escapes, counts never drop."""
    with Store(":memory:") as store:
        good(store)
        before = _counts(store)
        titled = store.con.execute("SELECT count(*) FROM works WHERE title <> ''").fetchall()
        try:
            report = hostile(store)
        except LabscoutError:
            report = None
        after = _counts(store)
        assert all(after[k] >= before[k] for k in before), (before, after)
        again = store.con.execute("SELECT count(*) FROM works WHERE title <> ''").fetchall()
        assert again[0][0] >= titled[0][0]  # no stored title wiped
        return report


def assert_lines_reported(report: IngestReport | None, lines: list[bytes]) -> None:
    if report is None or any(r.line is None for r in report.rejects):
        return  # the file as a whole was not JSON: one reject says so
    bad = {n for n, line in enumerate(lines, start=1) if line.strip() and not _parses(line)}
    reported = {r.line for r in report.rejects}
    assert bad <= reported, (bad, report.rejects)
    assert report.read == sum(1 for line in lines if line.strip())


# -- OpenAlex works (JSON Lines) ----------------------------------------------
OPENALEX = {
    "id": "https://openalex.org/W1",
    "title": "A work",
    "publication_year": 2020,
    "publication_date": "2020-01-01",
    "cited_by_count": 4,
    "language": "en",
    "type": "article",
    "doi": "https://doi.org/10.1/x",
    "primary_location": {"source": {"id": "https://openalex.org/S1", "display_name": "J"}},
    "topics": [{"id": "https://openalex.org/T1", "display_name": "T", "score": 0.5}],
    "concepts": "[{'id': 'C1', 'display_name': 'c', 'score': 0.1}]",
    "abstract_inverted_index": {"A": [0], "work": [1]},
    "referenced_works": ["https://openalex.org/W2"],
    "authorships": [
        {
            "author_position": "first",
            "author": {"id": "https://openalex.org/A1", "display_name": "Ann"},
            "institutions": [{"id": "https://openalex.org/I1", "display_name": "U"}],
            "raw_affiliation_strings": ["U"],
        }
    ],
}


@SETTINGS
@given(lines_of(OPENALEX))
def test_openalex_files(lines: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        good = Path(tmp) / "good.jsonl"
        good.write_text(json.dumps(OPENALEX) + "\n")
        f = Path(tmp) / "w.jsonl"
        f.write_bytes(b"\n".join(lines) + b"\n")
        report = check(lambda s: openalex_files(s, [good]), lambda s: openalex_files(s, [f]))
        assert_lines_reported(report, lines)


# -- arXiv (the Kaggle snapshot) ------------------------------------------------
ARXIV = {
    "id": "2401.00001",
    "title": "A $\\alpha$ paper",
    "authors": "Ann A and Bob B",
    "authors_parsed": [["A", "Ann", ""], ["B", "Bob", ""]],
    "abstract": "On things.",
    "doi": None,
    "categories": "cs.LG",
    "versions": [{"version": "v1", "created": "Mon, 1 Jan 2024 00:00:00 GMT"}],
    "update_date": "2024-01-02",
}


@SETTINGS
@given(lines_of(ARXIV))
def test_arxiv_snapshot(lines: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        good = Path(tmp) / "good.json"
        good.write_text(json.dumps(ARXIV) + "\n")
        f = Path(tmp) / "arxiv.json"
        f.write_bytes(b"\n".join(lines) + b"\n")
        report = check(
            lambda s: arxiv_snapshot(s, good, match=False),
            lambda s: arxiv_snapshot(s, f, match=False),
        )
        assert_lines_reported(report, lines)


# -- OpenReview archives (JSON Lines) -----------------------------------------
OPENREVIEW = {
    "id": "abc",
    "content": {
        "title": {"value": "A paper"},
        "abstract": {"value": "On graphs."},
        "authors": {"value": ["Ann A", "Bob B"]},
        "authorids": {"value": ["~Ann_A1", "~Bob_B1"]},
    },
    "cdate": 1700000000000,
}


@SETTINGS
@given(lines_of(OPENREVIEW))
def test_openreview_archives(lines: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        good = Path(tmp) / "good" / "archives"
        good.mkdir(parents=True)
        (good / "~Ann_A1.jsonl").write_text(json.dumps(OPENREVIEW) + "\n")
        bad = Path(tmp) / "bad" / "archives"
        bad.mkdir(parents=True)
        (bad / "~Ann_A1.jsonl").write_bytes(b"\n".join(lines) + b"\n")
        check(
            lambda s: openreview_archives(s, good.parent, match=False),
            lambda s: openreview_archives(s, bad.parent, match=False),
        )


# -- Paper Copilot lists (a JSON list) -------------------------------------------
PAPER = {
    "id": "p1",
    "title": "A paper",
    "author": "Ann A; Bob B",
    "aff": "U1; U2",
    "aff_unique_index": "0;1",
    "aff_unique_norm": "Uni One;Uni Two",
    "aff_country_unique_index": "0;0",
    "aff_country_unique": "France",
    "gs_citation": 3,
    "status": "Poster",
}


@SETTINGS
@given(st.lists(mutated(PAPER), min_size=1, max_size=4), st.booleans())
def test_paperlists(papers: list[dict], gz: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        good = Path(tmp) / "good" / "iclr2024.json"
        good.parent.mkdir()
        good.write_text(json.dumps([PAPER]))
        f = Path(tmp) / ("iclr2024.json.gz" if gz else "iclr2024.json")
        data = json.dumps(papers).encode()
        f.write_bytes(gzip.compress(data) if gz else data)
        report = check(
            lambda s: paperlists(s, [good], match=False),
            lambda s: paperlists(s, [f], match=False),
        )
        if report is not None:
            assert report.read == len(papers)


# -- a table (CSV) --------------------------------------------------------------
CELL = st.one_of(st.text(max_size=20), ODD, st.just("x" * 140_000), st.just("inf"))


@SETTINGS
@given(st.lists(st.tuples(CELL, CELL, CELL), min_size=1, max_size=5), st.sampled_from([";", "|"]))
def test_table_csv(rows: list[tuple[str, str, str]], sep: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        good = Path(tmp) / "good.csv"
        good.write_text("title,authors,year\nA paper,Ann A,2020\n")
        f = Path(tmp) / "t.csv"
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["title", "authors", "year"])
        w.writerows(rows)
        f.write_text(buf.getvalue(), encoding="utf-8", errors="surrogatepass")
        mapping = "title=title,authors=authors,year=year"
        check(
            lambda s: table(s, good, mapping, match=False),
            lambda s: table(s, f, mapping, author_sep=sep, match=False),
        )


# -- Semantic Scholar (a folder of JSON files) ---------------------------------------
S2_PAPER = {
    "paperId": "a" * 40,
    "title": "A paper",
    "year": 2020,
    "abstract": "On things.",
    "venue": "J",
    "externalIds": {"ArXiv": "2401.00001", "DOI": "10.1/x"},
    "authors": [{"authorId": "1", "name": "Ann A"}, "Bob B"],
}
S2_AUTHOR = {"authorId": "1", "name": "Ann A", "aliases": ["A. A"], "papers": ["a" * 40]}


@SETTINGS
@given(mutated(S2_PAPER), mutated(S2_AUTHOR))
def test_s2_files(paper: dict, author: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        good = Path(tmp) / "good"
        bad = Path(tmp) / "bad"
        for root, p, a in ((good, S2_PAPER, S2_AUTHOR), (bad, paper, author)):
            (root / "papers").mkdir(parents=True)
            (root / "participants").mkdir()
            (root / "papers" / "p.json").write_text(json.dumps(p))
            (root / "participants" / "a.json").write_text(json.dumps(a))
        report = check(
            lambda s: s2_files(s, good, match=False), lambda s: s2_files(s, bad, match=False)
        )
        if report is not None:
            assert report.read == 2


# -- DBLP (XML) -----------------------------------------------------------------------
XML_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="<&"),
    max_size=20,
)
DTD = '<!ELEMENT dblp ANY>\n<!ENTITY eacute "&#233;">\n'


def _article(key: str, title: str, year: str, author: str) -> str:
    return (
        f'<article key="{key}"><author>{author}</author><title>{title}</title>'
        f"<year>{year}</year><journal>J</journal></article>"
    )


@SETTINGS
@given(st.lists(st.tuples(XML_TEXT, XML_TEXT, XML_TEXT), min_size=1, max_size=4))
def test_dblp_xml(records: list[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "dblp.dtd").write_text(DTD)
        head = '<?xml version="1.0"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n<dblp>\n'
        good = Path(tmp) / "good.xml"
        good.write_text(head + _article("j/a/1", "Fr&eacute;d", "2020", "Ann A") + "</dblp>\n")
        body = "\n".join(_article(f"j/x/{i}", t, y, a) for i, (t, y, a) in enumerate(records))
        f = Path(tmp) / "dblp.xml"
        f.write_text(head + body + "\n</dblp>\n", encoding="utf-8")
        report = check(
            lambda s: dblp_xml(s, good, match=False), lambda s: dblp_xml(s, f, match=False)
        )
        if report is not None:
            assert report.read == len(records)
