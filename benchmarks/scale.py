"""How cost grows with corpus size: 10k, 100k, 1M works.

Corpora are made by resampling the 195 real works of
``../shared/data/openalex/works_ml_sample.json`` (fresh ids per copy,
shuffled authors, shifted years, real texts; see
``labscout.evaluation.resample``) and written as an OpenAlex snapshot layout
(``data/works/updated_date=*/part_*.gz`` + manifest). Each measurement runs
in its own process so that its peak RSS (VmHWM) is its own.

    .venv/bin/python benchmarks/scale.py ingest [--sizes 10000,100000,1000000]
        [--python-max 100000] [--workdir DIR]
    .venv/bin/python benchmarks/scale.py search [--sizes 10000,100000,1000000]
    .venv/bin/python benchmarks/scale.py embed [--texts 20000] [--embedder minilm-torch]

``ingest``: works/s of ``openalex_snapshot`` (DuckDB's JSON reader) against
the streaming Python path ``openalex_files`` on the same files, in the same
run (the baseline; only up to ``--python-max`` works), and the peak RSS of
each. ``search``: see ``benchmarks/ann.py``. ``embed``: texts/s of an
embedder on this machine (CPU, or the GPU when there is one).

Skips cleanly (exit 0) when ../shared/data is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LABSCOUT_SHARED", ROOT.parent / "shared"))
SAMPLE = SHARED / "data" / "openalex" / "works_ml_sample.json"


def rss_mb() -> float:
    """This process's resident memory now (VmRSS), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_corpus(n: int, root: Path) -> float:
    """Write ``n`` resampled works as a snapshot layout under ``root``; return seconds."""
    from labscout.evaluation.resample import resample_openalex_works
    from snapshot_files import write_snapshot

    if (root / "data" / "works" / "manifest").exists():
        return 0.0
    works = json.loads(SAMPLE.read_text())
    t = time.perf_counter()
    write_snapshot(
        resample_openalex_works(works, n, seed=n),
        root,
        per_partition=min(50_000, max(1_000, n // 10)),
        dates=("2024-01-01", "2024-06-01", "2025-01-01"),
    )
    return time.perf_counter() - t


def one_ingest(method: str, corpus: Path, db: Path) -> dict:
    """Run in a child process: one ingest into a fresh store."""
    from labscout.ingest import openalex_files, openalex_snapshot
    from labscout.store import Store

    if db.exists():
        db.unlink()
    with Store(db) as store:
        t = time.perf_counter()
        if method == "duckdb":
            report = openalex_snapshot(store, corpus)
        else:
            report = openalex_files(store, [corpus / "data" / "works"])
        seconds = time.perf_counter() - t
        works = store.counts()["works"]
    return {
        "method": method,
        "works": works,
        "seconds": seconds,
        "works_per_s": works / seconds,
        "peak_rss_mb": peak_rss_mb(),
        "rejected": report.rejected,
        "db_mb": db.stat().st_size / 2**20,
    }


def one_ann_build(n: int, dtype: str, path: Path, connectivity: int = 16) -> dict:
    """Child: build the quantised HNSW graph over ``n`` random unit vectors and save it."""
    from ann import QuantizedIndex, random_unit_vectors

    vectors = random_unit_vectors(n, seed=n)
    t = time.perf_counter()
    index = QuantizedIndex.build(
        vectors, dtype, connectivity=connectivity, expansion_add=64 if connectivity >= 16 else 32
    )
    seconds = time.perf_counter() - t
    index.save(path)
    return {"build_s": seconds, "file_mb": path.stat().st_size / 2**20}


def one_ann_query(n: int, dtype: str, path: Path, n_queries: int, ef: int = 0) -> dict:
    """Child: open the saved graph memory-mapped, time single queries, then recall@10."""
    import numpy as np

    from ann import QuantizedIndex, random_unit_vectors

    # queries near stored vectors (a neighbourhood exists), one at a time, 1 thread
    rng = np.random.default_rng(1)
    rows = rng.integers(0, n, n_queries)
    stored = random_unit_vectors(n, seed=n)
    queries = stored[rows] + 0.05 * random_unit_vectors(n_queries, seed=2)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    exact = np.argsort(-(queries[:50] @ stored.T), axis=1)[:, :10]
    del stored  # RSS below is the index's alone
    before = rss_mb()
    t = time.perf_counter()
    index = QuantizedIndex.load(path, view=True)
    load_s = time.perf_counter() - t
    if ef:
        index.index.expansion_search = ef  # a wider beam: better hits, slower queries
    times = []
    found = []
    for q in queries:
        t = time.perf_counter()
        r, _ = index.search(q, 10)
        times.append((time.perf_counter() - t) * 1000)
        found.append(r[0])
    rss_after = rss_mb()
    # each query was made from one stored vector: is it the first hit? (the other
    # neighbours of a random point in 384 dimensions are all about as far, so
    # recall@10 against exact search says little on random vectors; it is given too)
    hit1 = float(np.mean([f[0] == r for f, r in zip(found, rows, strict=True)]))
    recall = np.mean([len(set(f) & set(e)) / 10 for f, e in zip(found[:50], exact, strict=True)])
    return {
        "load_s": load_s,
        "rss_after_load_mb": rss_after - before,
        "p50_ms": float(np.percentile(times, 50)),
        "p95_ms": float(np.percentile(times, 95)),
        "recall10": float(recall),
        "hit1": hit1,
    }


def one_bm25(n: int, folder: Path, n_queries: int) -> dict:
    """Child: BM25 over ``n`` resampled works' texts; load memory-mapped or not; time queries."""
    import numpy as np

    from labscout.index.lexical import LexicalIndex, LexicalParams

    works = json.loads(SAMPLE.read_text())
    from labscout.sources.openalex import abstract_from_inverted_index

    texts = [
        f"{w['title']}. {abstract_from_inverted_index(w['abstract_inverted_index']) or ''}"
        for w in works
    ]
    out: dict = {}
    if not (folder / "params.index.json").exists():
        t = time.perf_counter()
        index = LexicalIndex.build([texts[i % len(texts)] for i in range(n)], LexicalParams())
        out["build_s"] = time.perf_counter() - t
        index.save(folder)
        del index
    import bm25s

    for mmap in (True, False):
        before = rss_mb()
        retriever = bm25s.BM25.load(str(folder), mmap=mmap)
        after = rss_mb() - before
        index = LexicalIndex(retriever, LexicalParams())
        times = []
        for q in [w["title"] for w in works][:n_queries]:
            t = time.perf_counter()
            index.scores(q)
            times.append((time.perf_counter() - t) * 1000)
        key = "mmap" if mmap else "ram"
        out[f"{key}_rss_mb"] = after
        out[f"{key}_p50_ms"] = float(np.percentile(times, 50))
        out[f"{key}_p95_ms"] = float(np.percentile(times, 95))
        del index, retriever
    out["disk_mb"] = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20
    return out


def child(args: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "_one", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def growth(rows: list[dict], key: str, sizes: list[int]) -> str:
    """``a -> b (xR)`` ratios per 10x between successive sizes."""
    by = {r["n"]: r[key] for r in rows if key in r}
    parts = []
    for a, b in zip(sizes, sizes[1:], strict=False):
        if a in by and b in by and by[a]:
            parts.append(f"{a:,}->{b:,}: x{by[b] / by[a]:.2f}")
    return "; ".join(parts) or "-"


def cmd_ingest(ns: argparse.Namespace) -> None:
    sizes = [int(s) for s in ns.sizes.split(",")]
    work = Path(ns.workdir or tempfile.mkdtemp(prefix="labscout-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    print(f"corpora under {work}")
    for n in sizes:
        corpus = work / f"corpus_{n}"
        made = make_corpus(n, corpus)
        gz = sum(p.stat().st_size for p in corpus.rglob("*.gz")) / 2**20
        print(f"\n{n:,} works: corpus {gz:,.0f} MiB gzipped (written in {made:.0f}s)")
        row: dict = {"n": n}
        for method in ("duckdb", "python"):
            if method == "python" and n > ns.python_max:
                print(f"  {method:7s} skipped (over --python-max {ns.python_max:,})")
                continue
            r = child(["ingest", method, str(corpus), str(work / f"store_{method}_{n}.duckdb")])
            print(
                f"  {method:7s} {r['works']:>9,} works in {r['seconds']:7.1f}s = "
                f"{r['works_per_s']:8,.0f} works/s, peak RSS {r['peak_rss_mb']:7,.0f} MiB, "
                f"store {r['db_mb']:,.0f} MiB"
            )
            row[f"{method}_wps"] = r["works_per_s"]
            row[f"{method}_s"] = r["seconds"]
            row[f"{method}_rss"] = r["peak_rss_mb"]
        if "python_wps" in row:
            print(f"  DuckDB reader / Python path: x{row['duckdb_wps'] / row['python_wps']:.1f}")
        rows.append(row)
    print("\ngrowth per 10x (ratio of the larger size's figure to the smaller's):")
    for key, label in (
        ("duckdb_s", "DuckDB ingest time"),
        ("duckdb_rss", "DuckDB peak RSS"),
        ("python_s", "Python ingest time"),
        ("python_rss", "Python peak RSS"),
    ):
        print(f"  {label:20s} {growth(rows, key, sizes)}")


def cmd_embed(ns: argparse.Namespace) -> None:
    """Texts/s of one embedder on this machine (the GPU when torch sees one)."""
    import random

    from labscout.index.embedders import get_embedder
    from labscout.sources.openalex import abstract_from_inverted_index

    works = json.loads(SAMPLE.read_text())
    base = [
        f"{w['title']}. {abstract_from_inverted_index(w['abstract_inverted_index']) or ''}"
        for w in works
    ]
    rng = random.Random(0)
    texts = []
    for i in range(ns.texts):  # distinct texts: the real ones, sentences shuffled
        parts = base[i % len(base)].split(". ")
        rng.shuffle(parts)
        texts.append(". ".join(parts))
    try:
        import torch

        device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU"
    except ImportError:
        device = "CPU (no torch)"
    emb = get_embedder(ns.embedder)
    emb.embed(texts[:32], batch_size=ns.batch_size)  # load and warm up
    t = time.perf_counter()
    emb.embed(texts, batch_size=ns.batch_size)
    seconds = time.perf_counter() - t
    print(
        f"{emb.name} on {device}: {len(texts):,} texts in {seconds:.1f}s = "
        f"{len(texts) / seconds:,.1f} texts/s (batch {ns.batch_size}, peak RSS "
        f"{peak_rss_mb():,.0f} MiB)"
    )


def cmd_search(ns: argparse.Namespace) -> None:
    sizes = [int(x) for x in ns.sizes.split(",") if x]
    work = Path(ns.workdir or tempfile.mkdtemp(prefix="labscout-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"indexes under {work}; vectors are random unit vectors of 384 dimensions")
    bm_rows = []
    bm_sizes = [int(x) for x in ns.bm25_sizes.split(",") if x]
    for n in bm_sizes:
        r = child(["bm25", str(n), str(work / f"bm25_{n}"), "50"])
        bm_rows.append({"n": n, **r})
        print(
            f"  BM25 {n:>9,}: build {r.get('build_s', 0):6.1f}s, disk {r['disk_mb']:,.0f} MiB; "
            f"loaded memory-mapped +{r['mmap_rss_mb']:,.0f} MiB RSS, p50 {r['mmap_p50_ms']:.1f} "
            f"ms, p95 {r['mmap_p95_ms']:.1f} ms; loaded in RAM +{r['ram_rss_mb']:,.0f} MiB, "
            f"p95 {r['ram_p95_ms']:.1f} ms"
        )
    for key in ("mmap_p95_ms", "mmap_rss_mb", "disk_mb"):
        print(f"  growth BM25 {key:12s} {growth(bm_rows, key, bm_sizes)}")
    rows: list[dict] = []
    dtypes = ns.dtypes.split(",")
    plan = [(n, d) for n in sizes for d in dtypes if d == "i8" or n <= ns.dtypes_max]
    for n, dtype in plan:
        path = work / f"ann_{dtype}_{n}.usearch"
        # a lighter graph above --light-above rows (the build is what costs here)
        light = n > ns.light_above
        conn = "8" if light else "16"
        b = child(["ann-build", str(n), dtype, str(path), conn])
        q = child(["ann-query", str(n), dtype, str(path), str(ns.queries)])
        per_vec = b["file_mb"] * 2**20 / n
        row = {"n": n, "dtype": dtype, **b, **q, "per_10m_gb": per_vec * 1e7 / 2**30}
        rows.append(row)
        print(
            f"  {dtype:3s} {n:>9,} (M={conn}): build {b['build_s']:7.1f}s (peak RSS "
            f"{b['peak_rss_mb']:,.0f} MiB), file {b['file_mb']:,.0f} MiB = {per_vec:,.0f} B "
            f"a vector -> {row['per_10m_gb']:.1f} GiB per 10M; after a memory-mapped load "
            f"+{q['rss_after_load_mb']:,.0f} MiB RSS; query p50 {q['p50_ms']:.2f} ms, "
            f"p95 {q['p95_ms']:.2f} ms; planted hit@1 {q['hit1']:.3f}, "
            f"recall@10 {q['recall10']:.3f}"
        )
    for dtype in ns.dtypes.split(","):
        sub_rows = [r for r in rows if r["dtype"] == dtype]
        for key in ("build_s", "p95_ms", "file_mb"):
            print(f"  growth {dtype} {key:8s} {growth(sub_rows, key, sizes)}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_one":
        kind, *rest = sys.argv[2:]
        if kind == "ingest":
            result = one_ingest(rest[0], Path(rest[1]), Path(rest[2]))
        elif kind == "ann-build":
            result = one_ann_build(int(rest[0]), rest[1], Path(rest[2]), *map(int, rest[3:]))
        elif kind == "ann-query":
            result = one_ann_query(int(rest[0]), rest[1], Path(rest[2]), *map(int, rest[3:]))
        else:
            result = one_bm25(int(rest[0]), Path(rest[1]), int(rest[2]))
        result["peak_rss_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return
    if not SAMPLE.exists():
        print(f"skipped: {SAMPLE} not found")
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    pi = sub.add_parser("ingest")
    pi.add_argument("--sizes", default="10000,100000,1000000")
    pi.add_argument("--python-max", type=int, default=100_000)
    pi.add_argument("--workdir")
    ps = sub.add_parser("search")
    ps.add_argument("--sizes", default="10000,100000,1000000")
    ps.add_argument("--dtypes", default="i8,f16,f32")
    ps.add_argument("--dtypes-max", type=int, default=10_000, help="above: i8 only")
    ps.add_argument("--bm25-sizes", default="10000,100000,1000000")
    ps.add_argument("--queries", type=int, default=200)
    ps.add_argument("--light-above", type=int, default=100_000, help="above: connectivity 8")
    ps.add_argument("--workdir")
    pe = sub.add_parser("embed")
    pe.add_argument("--texts", type=int, default=20_000)
    pe.add_argument("--embedder", default="minilm-torch")
    pe.add_argument("--batch-size", type=int, default=256)
    ns = p.parse_args()
    if ns.cmd == "embed":
        cmd_embed(ns)
    elif ns.cmd == "ingest":
        cmd_ingest(ns)
    elif ns.cmd == "search":
        cmd_search(ns)


if __name__ == "__main__":
    main()
