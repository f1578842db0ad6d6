"""Ingest speed of the OpenAlex files path against a naive baseline, in the same run.

The 195 real works of ``../shared/data/openalex/works_ml_sample.json`` are
resampled (fresh ids per copy, see ``labscout.evaluation.resample``) to
``--works`` works (default 100,000) written as JSON Lines, then ingested with
``labscout.ingest.openalex_files`` into a new DuckDB file.

The naive baseline does the same job the obvious way: ``json.load`` of a JSON
list, then one ``INSERT`` a row (works, authorships, authors, institutions)
into the same schema. It runs on ``--naive-works`` works (default 5,000) and
its rate is extrapolated as works/s.

    .venv/bin/python benchmarks/ingest.py [--works 100000] [--naive-works 5000] [--gz]

Skips cleanly (exit 0) when ../shared/data is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import orjson

from labscout.evaluation.resample import resample_openalex_works, write_jsonl
from labscout.ingest import openalex_files
from labscout.sources.jsonfiles import iter_json_records
from labscout.sources.openalex import abstract_from_inverted_index, parse_entity, short_id
from labscout.store import Store
from labscout.store.migrations import schema_sql

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LABSCOUT_SHARED", ROOT.parent / "shared"))
SAMPLE = SHARED / "data" / "openalex" / "works_ml_sample.json"


def naive_ingest(path: Path, db: Path) -> int:
    """json.load the list, then one INSERT a row. Returns the works stored."""
    con = duckdb.connect(str(db))
    con.execute(schema_sql())
    with open(path, encoding="utf-8") as fh:
        works = json.load(fh)
    seen_authors: set[str] = set()
    seen_insts: set[str] = set()
    for w in works:
        wid = short_id(w["id"])
        src = (w.get("primary_location") or {}).get("source") or {}
        con.execute(
            "INSERT INTO works (id, doi, title, abstract, publication_year, publication_date, "
            "type, language, cited_by_count, source_id, venue, is_retracted, referenced_works, "
            "source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'openalex')",
            [
                wid,
                w.get("doi"),
                w.get("title"),
                abstract_from_inverted_index(w.get("abstract_inverted_index")),
                w.get("publication_year"),
                w.get("publication_date"),
                w.get("type"),
                w.get("language"),
                w.get("cited_by_count"),
                short_id(src.get("id")),
                src.get("display_name"),
                bool(w.get("is_retracted")),
                [short_id(r) for r in w.get("referenced_works") or ()],
            ],
        )
        for i, a in enumerate(w.get("authorships") or ()):
            person = a.get("author") or {}
            aid = short_id(person.get("id")) or f"{wid}#{i + 1}"
            insts = [x for x in a.get("institutions") or () if x.get("id")]
            con.execute(
                "INSERT INTO authorships VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    wid,
                    aid,
                    a.get("author_position"),
                    i,
                    bool(a.get("is_corresponding")),
                    a.get("raw_author_name"),
                    a.get("raw_affiliation_strings") or [],
                    [short_id(x["id"]) for x in insts],
                ],
            )
            if aid not in seen_authors:
                seen_authors.add(aid)
                con.execute(
                    "INSERT INTO authors (id, orcid, display_name, source, is_full) "
                    "VALUES (?, ?, ?, 'openalex', false)",
                    [aid, person.get("orcid"), person.get("display_name")],
                )
            for x in insts:
                iid = short_id(x["id"])
                if iid not in seen_insts:
                    seen_insts.add(iid)
                    con.execute(
                        "INSERT INTO institutions (id, ror, display_name, country_code, type, "
                        "source) VALUES (?, ?, ?, ?, ?, 'openalex')",
                        [
                            iid,
                            x.get("ror"),
                            x.get("display_name"),
                            x.get("country_code"),
                            x.get("type"),
                        ],
                    )
    n = con.execute("SELECT count(*) FROM works").fetchone()[0]
    con.close()
    return n


def stage_cpu(path: Path, n: int) -> tuple[float, float]:
    """CPU seconds per work to read+decode the first ``n`` lines, and to parse them too."""
    t = time.process_time()
    for i, _item in enumerate(iter_json_records(path), start=1):
        if i >= n:
            break
    read = (time.process_time() - t) / n
    t = time.process_time()
    for i, item in enumerate(iter_json_records(path), start=1):
        parse_entity(item[1], "x", item[0])
        if i >= n:
            break
    return read, (time.process_time() - t) / n - read


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--works", type=int, default=100_000, help="works for the files path")
    ap.add_argument("--naive-works", type=int, default=2_000, help="works for the baseline")
    ap.add_argument("--gz", action="store_true", help="gzip the JSON Lines file")
    ap.add_argument("--batch-size", type=int, default=None, help="works per transaction")
    ap.add_argument("--tmp", default=None, help="folder for the generated files")
    args = ap.parse_args()
    if not SAMPLE.is_file():
        print(f"skipped: {SAMPLE} not found (set LABSCOUT_SHARED)")
        return 0
    base = orjson.loads(SAMPLE.read_bytes())
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        tmpdir = Path(tmp)
        data = tmpdir / ("works.jsonl.gz" if args.gz else "works.jsonl")
        t = time.perf_counter()
        n = write_jsonl(resample_openalex_works(base, args.works), data)
        size_mb = data.stat().st_size / 1e6
        print(f"generated {n:,} works ({size_mb:,.0f} MB) in {time.perf_counter() - t:.1f}s")

        kw = {"batch_size": args.batch_size} if args.batch_size else {}
        load_before = os.getloadavg()[0]
        with Store(tmpdir / "fast.duckdb") as store:
            t, cpu = time.perf_counter(), time.process_time()
            report = openalex_files(store, [data], **kw)
            fast_s, fast_cpu = time.perf_counter() - t, time.process_time() - cpu
            counts = store.counts()
        load_after = os.getloadavg()[0]
        read_cpu, parse_cpu = stage_cpu(data, min(n, 20_000))
        assert counts["works"] == n, (counts, n)
        fast = n / fast_s

        naive_list = tmpdir / "naive.json"
        naive_list.write_bytes(orjson.dumps(list(resample_openalex_works(base, args.naive_works))))
        t = time.perf_counter()
        n_naive = naive_ingest(naive_list, tmpdir / "naive.duckdb")
        naive_s = time.perf_counter() - t
        assert n_naive == args.naive_works
        naive = n_naive / naive_s

    print(
        f"cores available: {len(os.sched_getaffinity(0))}, python {sys.version.split()[0]}, "
        f"load average {load_before:.1f} before / {load_after:.1f} after the timed ingest"
    )
    print(
        f"labscout openalex_files: {n:>9,} works in {fast_s:7.2f}s = {fast:>9,.0f} works/s "
        f"({counts['authorships']:,} authorships, {counts['authors']:,} authors, "
        f"{counts['institutions']:,} institutions; rejected {report.rejected})"
    )
    print(
        f"naive json.load + INSERT: {n_naive:>9,} works in {naive_s:7.2f}s = {naive:>9,.0f} "
        f"works/s (measured on {n_naive:,} works, extrapolated as a rate)"
    )
    us = 1e6 / n
    print(
        f"CPU time of the labscout ingest: {fast_cpu * us:.0f} us/work (all threads; "
        f"{fast_cpu / fast_s:.2f} cores busy on average): read+decode "
        f"{read_cpu * 1e6:.0f}, parse to records {parse_cpu * 1e6:.0f}, batch+write "
        f"{fast_cpu * us - (read_cpu + parse_cpu) * 1e6:.0f}"
    )
    print(f"ratio: {fast / naive:.1f}x the naive baseline (target >= 20x and >= 20,000 works/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
