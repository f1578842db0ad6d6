"""Co-author paths at scale: rustworkx and networkx side by side, against a plain baseline.

The graph comes from real records repeated. The 53,637 real papers of the
Paper Copilot lists (``../shared/data/paperlists``, 23 venues) are written to
a new store ``--copies`` times (default 3) as Work records through
``Store.write``; authors are identified by their normalised name (the lists
carry names only). In copy k > 0 each paper gets a new id and its year moves
back k years; each author keeps their id in every copy with probability
``--shared`` (default 0.2, decided once per name), otherwise gets a new id per
copy. So each copy has the real co-authorship structure, and the people kept
across copies tie the copies into one graph (like people who publish in
several communities), giving more than 1M edges with 3 copies.

For each backend it reports: building the library graph from the edge arrays
(the cache holds arrays), its memory (RSS growth), and the time of
``search_paths`` (k=3, max length 4) from 1-3 random sources to a random
target in the giant component, plus ``paths()`` with the shared works read
back from the store. The baseline is networkx's ``shortest_simple_paths``
(Yen's algorithm) over the whole graph, with a virtual node joined to the
sources, on fewer queries; the ratio is baseline median / ours.

    .venv/bin/python benchmarks/paths.py [--copies 3] [--queries 200] [--baseline-queries 10]

Skips cleanly (exit 0) when ../shared/data is absent.
"""

from __future__ import annotations

import argparse
import gc
import glob
import gzip
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

import networkx as nx
import numpy as np

from labscout.graph import build
from labscout.graph.paths import paths, search_paths
from labscout.records import Authorship, Work
from labscout.store import Batch, Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LABSCOUT_SHARED", ROOT.parent / "shared"))
LISTS = SHARED / "data" / "paperlists"


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def name_id(name: str) -> str:
    return "pl:" + re.sub(r"\s+", " ", name.strip().lower())


def load_papers() -> list[tuple[str, str, int, list[str]]]:
    out = []
    for f in sorted(glob.glob(str(LISTS / "*" / "*.json.gz"))):
        m = re.search(r"(\d{4})\.json\.gz$", f)
        year = int(m.group(1)) if m else None
        venue = Path(f).parent.name
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for i, p in enumerate(json.load(fh)):
                names = [a for a in (p.get("author") or "").split(";") if a.strip()]
                out.append((f"{venue}{year}-{p.get('id') or i}", p.get("title") or "", year, names))
    return out


def build_store(db: Path, copies: int, shared: float) -> tuple[Store, int]:
    papers = load_papers()
    store = Store(db)
    keep = {}
    n = 0
    for k in range(copies):
        batch = Batch()
        for pid, title, year, names in papers:
            ships = []
            for j, name in enumerate(names):
                aid = name_id(name)
                if k and not keep.setdefault(aid, zlib.crc32(aid.encode()) % 1000 < shared * 1000):
                    aid = f"{aid}~{k}"
                pos = "first" if j == 0 else ("last" if j == len(names) - 1 else "middle")
                ships.append(Authorship(aid, pos, j, raw_author_name=name))
            batch.works.append(
                Work(
                    id=f"{pid}~{k}" if k else pid,
                    title=title,
                    publication_year=year - k if year else None,
                    authorships=tuple(ships),
                    source="paperlists",
                )
            )
            if len(batch.works) == 20000:
                store.write(batch)
                n += len(batch.works)
                batch = Batch()
        if batch.works:
            store.write(batch)
            n += len(batch.works)
    return store, n


def pick_queries(g: build.CoauthorGraph, n: int, seed: int):
    """Two groups of (1-3 sources, target) in the giant component: ``random`` pairs,
    and ``near`` ones whose target ends a random walk of 2-4 steps from a source."""
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    size = g.n_nodes
    m = coo_array((np.ones(g.n_edges), (g.src, g.dst)), shape=(size, size)).tocsr()
    m = (m + m.T).tocsr()
    _, labels = connected_components(m, directed=False)
    comp = np.flatnonzero(labels == np.bincount(labels).argmax()).tolist()
    rng = random.Random(seed)
    groups: dict[str, list[tuple[list[str], str]]] = {"random": [], "near": []}
    for _ in range(n // 2):
        picks = rng.sample(comp, rng.randint(2, 4))
        groups["random"].append(([g.ids[i] for i in picks[1:]], g.ids[picks[0]]))
    while len(groups["near"]) < n // 2:
        sources = rng.sample(comp, rng.randint(1, 3))
        node = sources[0]
        for _ in range(rng.randint(2, 4)):
            nbrs = m.indices[m.indptr[node] : m.indptr[node + 1]]
            node = int(nbrs[rng.randrange(len(nbrs))])
        if node not in sources:
            groups["near"].append(([g.ids[i] for i in sources], g.ids[node]))
    return groups, len(comp)


def baseline_yen(g: build.CoauthorGraph, full: nx.Graph, sources, target, k=3, max_length=4):
    src = [g.index_of(s) for s in sources]
    t = g.index_of(target)
    full.add_node(-1)
    for s in src:
        full.add_edge(-1, s, cost=0.0)
    found = []
    try:
        for p in nx.shortest_simple_paths(full, -1, t, weight="cost"):
            if len(p) - 2 > max_length:
                break
            if any(x in src for x in p[2:]):
                continue
            found.append(p[1:])
            if len(found) == k:
                break
    finally:
        full.remove_node(-1)
    return found


def p90(xs: list[float]) -> float:
    return sorted(xs)[int(0.9 * (len(xs) - 1))]


def ms(xs: list[float]) -> str:
    xs = sorted(xs)
    p90 = xs[int(0.9 * (len(xs) - 1))]
    return f"median {statistics.median(xs):7.2f} ms  p90 {p90:7.2f} ms  max {xs[-1]:7.2f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--shared", type=float, default=0.2)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--baseline-queries", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--db", help="Reuse (or keep) the benchmark store at this path.")
    args = ap.parse_args()
    if not LISTS.is_dir():
        print(f"skipped: {LISTS} not found")
        return 0
    tmp = tempfile.TemporaryDirectory()
    db = Path(args.db) if args.db else Path(tmp.name) / "paths.duckdb"
    t0 = time.perf_counter()
    if db.exists():
        store, n_works = Store(db), None
    else:
        store, n_works = build_store(db, args.copies, args.shared)
    print(f"store: {n_works or 'reused'} works written in {time.perf_counter() - t0:.1f}s ({db})")

    t0 = time.perf_counter()
    arrays = build.edges_from_store(store)
    t_edges = time.perf_counter() - t0
    key = build.cache_key(store, build.DEFAULT_MAX_AUTHORS)
    base = build.CoauthorGraph(key=key, max_authors=build.DEFAULT_MAX_AUTHORS, **arrays)
    cache = Path(str(db) + ".coauthors.npz")
    t0 = time.perf_counter()
    base.save(cache)
    t_save = time.perf_counter() - t0
    t0 = time.perf_counter()
    base = build.CoauthorGraph.read(cache)
    t_read = time.perf_counter() - t0
    base.index_of("")
    print(
        f"graph: {base.n_nodes:,} authors, {base.n_edges:,} edges (works with > "
        f"{build.DEFAULT_MAX_AUTHORS} authors left out); edges from the store {t_edges:.1f}s, "
        f"cache write {t_save:.2f}s, cache read {t_read:.2f}s "
        f"({cache.stat().st_size / 2**20:.0f} MiB)"
    )
    groups, comp = None, 0
    results: dict[str, dict] = {}
    graphs = {}
    for backend in build.BACKENDS:
        gc.collect()
        before = rss_mb()
        g = build.CoauthorGraph(**{**base.__dict__, "backend": backend, "_adj": None})
        t0 = time.perf_counter()
        g.load()
        res: dict = {"load": time.perf_counter() - t0, "mem": rss_mb() - before}
        if groups is None:
            groups, comp = pick_queries(g, args.queries, args.seed)
        warm_s, warm_t = groups["near"][0]
        search_paths(g, warm_s, [warm_t], k=3, max_length=4)  # warm-up: lazy imports
        for name, queries in groups.items():
            times, found = [], 0
            for sources, target in queries:
                t0 = time.perf_counter()
                got = search_paths(g, sources, [target], k=3, max_length=4)[target]
                times.append((time.perf_counter() - t0) * 1000)
                found += bool(got)
            res[name] = times
            res[name + "_found"] = found
        full_ms = []
        for sources, target in groups["near"][:50]:
            t0 = time.perf_counter()
            paths(store, sources, target, k=3, max_length=4, graph=g)
            full_ms.append((time.perf_counter() - t0) * 1000)
        res["evidence"] = full_ms
        results[backend] = res
        graphs[backend] = g
        print(f"{backend}: done", flush=True)
    r, n = results["rustworkx"], results["networkx"]
    print(
        f"queries (k=3, max length 4) in the giant component ({comp:,} authors): "
        f"{len(groups['random'])} random pairs ({r['random_found']} with a path of <= 4 "
        f"steps) and {len(groups['near'])} near pairs, target 2-4 random co-author steps "
        f"from a source ({r['near_found']} with a path)"
    )
    print()
    print(f"{'':<34}{'rustworkx':>14}{'networkx':>14}")
    print(f"{'build from arrays (s)':<34}{r['load']:>14.2f}{n['load']:>14.2f}")
    print(f"{'memory, RSS growth (MiB)':<34}{r['mem']:>14.0f}{n['mem']:>14.0f}")
    for key in ("random", "near", "evidence"):
        label = {"random": "random pairs", "near": "near pairs", "evidence": "paths() + works"}[key]
        for stat, fn in (("median", statistics.median), ("p90", p90), ("max", max)):
            print(f"{label + ' ' + stat + ' (ms)':<34}{fn(r[key]):>14.2f}{fn(n[key]):>14.2f}")
    print()

    full = graphs["networkx"].adjacency.graph
    for e, (u, v) in enumerate(zip(base.src.tolist(), base.dst.tolist(), strict=True)):
        full[u][v]["cost"] = 1.0 + (1.0 / (1.0 + base.strength[e])) / 5
    bl, ours, agree = [], [], 0
    for sources, target in groups["near"][: args.baseline_queries]:
        t0 = time.perf_counter()
        ref = baseline_yen(base, full, sources, target)
        bl.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        got = search_paths(graphs["rustworkx"], sources, [target], k=3, max_length=4)[target]
        ours.append((time.perf_counter() - t0) * 1000)
        agree += [len(p) for p in ref] == [len(p.nodes) for p in got]
    print(f"baseline, networkx Yen on the whole graph ({len(bl)} near pairs):", ms(bl))
    print("ours, rustworkx, same queries:", ms(ours))
    print(f"  same path lengths on {agree}/{len(bl)} queries")
    print(f"ratio baseline / ours (median): {statistics.median(bl) / statistics.median(ours):.0f}x")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
