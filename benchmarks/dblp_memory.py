"""DBLP streaming: peak memory stays flat as the XML grows.

Builds DBLP files of growing size from the shared samples (their records
repeated under new keys, persons and works alike), then measures, each in a
fresh process, the peak resident memory (ru_maxrss) of:

- ``parse``: streaming the file through ``labscout.sources.dblp.iter_dblp``;
- ``ingest``: ``labscout ingest dblp`` into a new DuckDB store (work matching on);
- ``tree`` (the baseline): ``lxml.etree.parse`` of the whole file, what a
  reader that does not clear elements needs.

It prints each figure and the ratios large/small (1.0 is flat) and
tree/stream. Usage: ``.venv/bin/python benchmarks/dblp_memory.py [--mb 220]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LABSCOUT_SHARED", ROOT.parent / "shared")) / "data" / "dblp"
_KEY = re.compile(rb'(key="[^"]*)"')
_XREF = re.compile(rb"(<crossref>homepages/[^<]*)</crossref>")
SAMPLES = (
    "articles_2017.xml",
    "recent_incollection.xml",
    "persons_and_articles.xml",
    "persons_list_root.xml",
)


def bodies() -> list[bytes]:
    out = []
    for name in SAMPLES:
        text = (DATA / name).read_bytes()
        root = b"<list>" if b"<list>" in text[:200] else b"<dblp>"
        _, _, rest = text.partition(root)
        body, _, _ = rest.rpartition(root.replace(b"<", b"</"))
        out.append(body)
    return out


def build(path: Path, megabytes: float, gz: bool = False) -> int:
    """Write a DBLP file of about ``megabytes`` MB; return how many copies it holds."""
    parts = bodies()
    head = (DATA / "articles_2017.xml").read_bytes().partition(b"<dblp>")[0] + b"<dblp>\n"
    target = int(megabytes * 1_000_000)
    opener = gzip.open if gz else open
    n = 0
    written = 0
    with opener(path, "wb") as fh:
        fh.write(head)
        while written < target:
            suffix = f"/c{n}".encode()
            for body in parts:
                # a suffix keeps person keys under homepages/ (so they stay person records)
                chunk = _KEY.sub(lambda m, x=suffix: m.group(1) + x + b'"', body)
                chunk = _XREF.sub(lambda m, x=suffix: m.group(1) + x + b"</crossref>", chunk)
                fh.write(chunk)
                written += len(chunk)
            n += 1
        fh.write(b"</dblp>\n")
    return n


def child(mode: str, path: str) -> None:
    t = time.perf_counter()
    out: dict = {}
    if mode == "parse":
        from labscout.sources.dblp import iter_dblp

        last = 0
        for last, _ in iter_dblp(Path(path), DATA / "dblp.dtd"):  # noqa: B007
            pass
        out["records"] = last
    elif mode == "tree":
        from lxml import etree

        parser = etree.XMLParser(load_dtd=True, resolve_entities=True, huge_tree=True)
        tree = etree.parse(path, parser)
        out["records"] = len(tree.getroot())
    else:
        from labscout.ingest.dblp import dblp_xml
        from labscout.store import Store

        with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "b.duckdb") as store:
            if limit := os.environ.get("DBLP_BENCH_DUCKDB_LIMIT"):
                store.con.execute(f"SET memory_limit = '{limit}'")
            report = dblp_xml(store, path, dtd=DATA / "dblp.dtd")
            out["records"] = report.read
            out["works"] = store.counts()["works"]
    out["seconds"] = round(time.perf_counter() - t, 2)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))


def measure(mode: str, path: Path) -> dict:
    res = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=220.0, help="size of the large file in MB")
    ap.add_argument(
        "--duckdb-memory-limit",
        help="cap DuckDB's buffer pool in the ingest runs (e.g. 128MB); default: DuckDB's own",
    )
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.duckdb_memory_limit:
        os.environ["DBLP_BENCH_DUCKDB_LIMIT"] = args.duckdb_memory_limit
    if args.child:
        child(*args.child)
        return 0
    if not (DATA / "dblp.dtd").is_file():
        print(f"skipped: shared DBLP samples not found at {DATA}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp) / "small.xml", Path(tmp) / "large.xml"
        shutil.copy(DATA / "dblp.dtd", Path(tmp) / "dblp.dtd")  # beside the XML, as in a dump
        build(small, args.mb / 10)
        copies = build(large, args.mb)
        sizes = {p.name: p.stat().st_size / 1e6 for p in (small, large)}
        print(
            f"files: small {sizes['small.xml']:.0f} MB, large {sizes['large.xml']:.0f} MB "
            f"({copies:,} copies of the 4 shared samples)"
        )
        rows = {}
        for mode in ("parse", "ingest"):
            for p in (small, large):
                rows[(mode, p.name)] = r = measure(mode, p)
                print(
                    f"{mode:<7} {p.name:<10} peak RSS {r['peak_rss_mb']:>8.1f} MB  "
                    f"{r['records']:>10,} records  {r['seconds']:>7.1f} s"
                )
        tree = measure("tree", small)
        print(f"tree    small.xml  peak RSS {tree['peak_rss_mb']:>8.1f} MB  (baseline: whole tree)")
        for mode in ("parse", "ingest"):
            ratio = (
                rows[(mode, "large.xml")]["peak_rss_mb"] / rows[(mode, "small.xml")]["peak_rss_mb"]
            )
            print(
                f"{mode}: peak RSS large/small x{ratio:.2f} for a file "
                f"x{sizes['large.xml'] / sizes['small.xml']:.1f} larger"
            )
        print(
            "baseline: whole-tree parse of the SMALL file needs "
            f"x{tree['peak_rss_mb'] / rows[('parse', 'small.xml')]['peak_rss_mb']:.1f} the memory "
            "of streaming it"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
