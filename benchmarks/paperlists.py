"""The paper lists corpus as a realistic workload: ingest, index, find, against baselines.

Builds a new store from all of ``../shared/data/paperlists`` (53,637 real
papers of 23 venues, Paper Copilot format) with
``labscout.ingest.paperlists`` and reports the ingest time, works/s, and the
counts (works, authors, institutions by guessed type, rejected, kept without
affiliations). A second run shows the resume/idempotence path (every file
skipped).

Baseline for ingest, in the same run: the obvious way, ``json.load`` of each
file and one ``INSERT`` a row (works, authorships) on the first
``--naive-papers`` papers (default 1,000), extrapolated to works/s. Reading
alone (gunzip + ``json.load`` of every file) is reported as the floor.

When ``labscout.index.build`` and ``labscout.rank.find`` are importable, it
then builds the index (``--embedder``, default ``minilm-static``: the default
MiniLM embeds ~20 texts/s on 2 cores, i.e. ~45 min for this corpus) and
reports its build time and size on disk, ``find`` latency p50/p95 over
``--queries`` runs of topic queries (the ratio against BM25 alone over the
same index, as the baseline), and the top 10 researchers for three topics.
When a function ranking institutions (``labscout.rank.institutions.ladder``)
is importable, it adds their top 10 institutions. What is missing is said.

    .venv/bin/python benchmarks/paperlists.py [--naive-papers 1000] [--embedder minilm-static]
        [--queries 30] [--keep DIR] [--no-index]

Skips cleanly (exit 0) when ../shared/data/paperlists is absent.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from labscout.ingest import paperlists
from labscout.sources.paperlists import author_id, split_authors
from labscout.store import Store
from labscout.store.migrations import schema_sql

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LABSCOUT_SHARED", ROOT.parent / "shared"))
LISTS = SHARED / "data" / "paperlists"
TOPICS = (
    "graph neural networks",
    "machine translation",
    "reinforcement learning exploration",
)
EXTRA_QUERIES = (
    "variational inference",
    "adversarial examples robustness",
    "object detection",
    "question answering",
    "causal inference",
    "bandit algorithms regret",
    "image segmentation",
    "federated learning privacy",
)


def files() -> list[Path]:
    return sorted(LISTS.rglob("*.json.gz"))


def read_floor() -> tuple[float, int]:
    t0 = time.perf_counter()
    n = 0
    for f in files():
        with gzip.open(f) as fh:
            n += len(json.load(fh))
    return time.perf_counter() - t0, n


def naive_ingest(db: Path, limit: int) -> tuple[float, int]:
    """json.load each file, then one INSERT a row, for the first ``limit`` papers."""
    con = duckdb.connect(str(db))
    con.execute(schema_sql())
    t0 = time.perf_counter()
    n = 0
    for f in files():
        with gzip.open(f) as fh:
            papers = json.load(fh)
        stem = f.name.split(".")[0]
        for i, p in enumerate(papers):
            if n >= limit:
                break
            if not p.get("title"):
                continue
            wid = f"paperlists:{stem}:{p.get('id') or i}"
            con.execute(
                "INSERT INTO works (id, title, abstract, cited_by_count, venue, source) "
                "VALUES (?, ?, ?, ?, ?, 'paperlists')",
                [wid, p["title"], p.get("abstract"), None, stem],
            )
            names = [x for x in split_authors(p.get("author")) if x]
            for j, name in enumerate(names):
                con.execute(
                    "INSERT INTO authorships (work_id, author_id, position_index, "
                    "raw_author_name) VALUES (?, ?, ?, ?)",
                    [wid, author_id(name), j, name],
                )
            n += 1
        if n >= limit:
            break
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed, n


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q * (len(values) - 1))))
    return values[k]


def ingest_part(store: Store, naive_papers: int, tmp: Path) -> None:
    floor_s, n_papers = read_floor()
    print(
        f"read only (gunzip + json.load of {len(files())} files): {floor_s:.1f}s, "
        f"{n_papers:,} papers"
    )
    report = paperlists(store, [LISTS])
    works = report.counts.works_inserted + report.counts.works_updated
    ours = works / report.elapsed_s
    naive_s, naive_n = naive_ingest(tmp / "naive.duckdb", naive_papers)
    naive_rate = naive_n / naive_s
    print(f"ingest: {report.elapsed_s:.1f}s for {works:,} works = {ours:,.0f} works/s")
    print(
        f"naive baseline (one INSERT a row, {naive_n:,} papers): {naive_rate:,.0f} works/s "
        f"-> ratio ours/naive = {ours / naive_rate:.1f}x"
    )
    print(f"  ingest time / read-only time = {report.elapsed_s / floor_s:.2f}")
    c = store.counts()
    con = store.con
    with_country = con.execute(
        "SELECT count(*) FROM institutions WHERE source = 'paperlists' AND country_code IS NOT NULL"
    ).fetchone()[0]
    with_inst = con.execute(
        "SELECT count(*) FROM authorships WHERE len(institution_ids) > 0"
    ).fetchone()[0]
    print(
        f"papers read {report.read:,}; works {c['works']:,} ({c['works_with_abstract']:,} "
        f"with abstract); authors {c['authors']:,}; authorships {c['authorships']:,} "
        f"({with_inst:,} with an institution)"
    )
    print(f"rejected {report.rejected:,}; kept without affiliations {report.dropped:,}")
    kinds = ", ".join(f"{k} {v:,}" for k, v in report.institution_types.items())
    print(f"institutions {c['institutions']:,} ({with_country:,} with a country): {kinds}")
    t0 = time.perf_counter()
    again = paperlists(store, [LISTS])
    print(
        f"second run: {len(again.skipped)} files skipped, {again.read} read, "
        f"{time.perf_counter() - t0:.2f}s"
    )


def index_part(store: Store, db_path: Path, embedder: str, n_queries: int) -> None:
    try:
        from labscout.index.build import build_index, load_index
        from labscout.query import Query
        from labscout.rank.find import find
    except ImportError as exc:
        print(f"index/find: not available in this checkout ({exc}); skipped")
        return
    from labscout.index.embedders import get_embedder

    t0 = time.perf_counter()
    get_embedder(embedder)  # loaded (or, for minilm-static, distilled) once, before timing
    print(f"embedder {embedder} ready in {time.perf_counter() - t0:.1f}s")
    folder = db_path.parent / "index"
    t0 = time.perf_counter()
    rep = build_index(store, path=folder, embedder=embedder, cache=False)
    build_s = time.perf_counter() - t0
    print(
        f"index build ({embedder}): {build_s:.1f}s, embed {rep.embed_seconds:.1f}s, "
        f"{rep.n_works:,} works, {du(folder) / 2**20:.1f} MiB on disk ({rep.vector_kind})"
    )
    index = load_index(store, folder)
    queries = list(TOPICS + EXTRA_QUERIES)
    find(store, Query(text=queries[0]), index=index)  # warm-up: first query loads the model
    times: list[float] = []
    for i in range(n_queries):
        t0 = time.perf_counter()
        find(store, Query(text=queries[i % len(queries)], top=10), index=index)
        times.append(time.perf_counter() - t0)
    p50, p95 = statistics.median(times), pct(times, 0.95)
    print(f"find: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms over {n_queries} queries")
    baseline_lexical(store, index, queries, n_queries, p50)
    for topic in TOPICS:
        result = find(store, Query(text=topic, top=10), index=index)
        print(f"\n### {topic}\n\n| # | researcher | institution | score | works |")
        print("|---|---|---|---|---|")
        for m in result.matches:
            print(f"| {m.rank} | {m.name} | {m.institution or ''} | {m.score:.3f} | {m.n_works} |")
        institutions_part(store, topic, index)


def baseline_lexical(store: Store, index, queries: list[str], n: int, p50: float) -> None:
    """BM25 alone on the same index (scores + top 100), as the latency baseline."""
    import numpy as np

    scores_of = getattr(getattr(index, "lexical", None), "scores", None)
    if scores_of is None:
        print("  (no BM25 scores on the index object: no latency baseline)")
        return
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        scores = np.asarray(scores_of(queries[i % len(queries)]))
        top = np.argpartition(-scores, 100)[:100]
        top[np.argsort(-scores[top])]
        times.append(time.perf_counter() - t0)
    base = statistics.median(times)
    print(
        f"  BM25 alone (scores + top 100) p50 {base * 1000:.1f} ms -> find/BM25 = {p50 / base:.1f}x"
    )


def institutions_part(store: Store, topic: str, index) -> None:
    try:
        from labscout.query import Query
        from labscout.rank.ladder import ladder
    except ImportError:
        print("\n(top institutions: no `ladder` in this checkout yet)")
        return
    result = ladder(store, Query(text=topic, top=10), index=index)
    rows = getattr(result, "institutions", None) or getattr(result, "matches", ())
    print("\n| # | institution | country | type | score |\n|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {getattr(r, 'rank', '')} | {getattr(r, 'name', '')} | "
            f"{getattr(r, 'country_code', '') or ''} | {getattr(r, 'type', '') or ''} | "
            f"{getattr(r, 'score', 0):.3f} |"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--naive-papers", type=int, default=1000)
    ap.add_argument("--embedder", default="minilm-static")
    ap.add_argument("--queries", type=int, default=30)
    ap.add_argument("--keep", help="build the store in this folder and keep it")
    ap.add_argument("--no-index", action="store_true", help="ingest only")
    args = ap.parse_args()
    if not LISTS.is_dir():
        print(f"skipped: {LISTS} not found")
        return 0
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(args.keep or tmpdir)
        tmp.mkdir(parents=True, exist_ok=True)
        db = tmp / "paperlists.duckdb"
        if db.exists():
            db.unlink()
        with Store(db) as store:
            ingest_part(store, args.naive_papers, tmp)
            print(f"store file: {db.stat().st_size / 2**20:.1f} MiB")
            if not args.no_index:
                index_part(store, db, args.embedder, args.queries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
