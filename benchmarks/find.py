"""Benchmarks for `labscout find`: fusion choice on real labels, index build and query times.

1. Fusion, measured on the gold standard (../shared/data/goldstandard): the
   participants' profile papers (archives of version d_20_<v>) become a store
   whose authors are the participants; each rated paper's title and abstract
   is a `find` query; a participant's researcher score for that query (0 when
   not reached) is scored with the README's loss. This runs the same retrieve
   -> fuse -> works-to-researchers path as `find` (recency and authorship
   position are constant here: archives carry neither year nor position). A
   TF-IDF max-similarity baseline is computed in the same run.
2. Timings on the demo corpus (195 works): index build (embedding without the
   cache), then query latency p50/p95 over free-text queries.
3. Timings on the paper lists corpus (53k works) when a store built with
   `labscout ingest paperlists` is given with --paperlists-db.

    .venv/bin/python benchmarks/find.py [--versions 1,2,3] [--paperlists-db pl.duckdb [--recall N]]

5. With --speed: find's latency p50/p95 on that store with the defaults before issue
   18, of issue 18, and today's, alternating query by query (nothing is built).

4. With --recall N: leave-one-out expert recall on that store: N papers' titles are
   queries, each paper hidden, its authors with other papers in the store are the
   right answers; MRR and top-10 figures for each fusion and aggregation variant.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
GOLD = DATA / "goldstandard"

CONFIGS = {
    "rrf (k=60)": {"fusion": "rrf", "rrf_k": 60},
    "rrf (k=10)": {"fusion": "rrf", "rrf_k": 10},
    "weighted 0.5/0.5": {"fusion": "weighted", "lexical_weight": 0.5, "dense_weight": 0.5},
    "weighted 0.3/0.7": {"fusion": "weighted", "lexical_weight": 0.3, "dense_weight": 0.7},
    "BM25 only": {"fusion": "lexical"},
    "embeddings only": {"fusion": "dense"},
}

# works -> researchers variants, all with the default fusion (for the leave-one-out table)
AGG_CONFIGS = {
    "default aggregation": {},
    "no authorship weights": {
        "weight_last": 1.0, "weight_corresponding": 1.0, "weight_first": 1.0,
        "weight_middle": 1.0, "team_size": 10_000,
    },
    "no recency": {"recency_half_life": 1e9},
    "plain sum of 5 works": {"work_decay": 1.0},
    "best work only": {"max_works": 1},
}  # fmt: skip

QUERIES = [
    "graph neural networks",
    "language models",
    "reinforcement learning for robotics",
    "point cloud segmentation",
    "time series forecasting with transformers",
    "retrieval augmented generation",
    "medical image segmentation",
    "federated learning privacy",
    "knowledge graph embeddings",
    "adversarial robustness of deep networks",
    "speech recognition",
    "causal inference from observational data",
]


def _read_jsonl(path: Path) -> list[dict]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(json.loads(line))
    return out


def _text(d: dict) -> str:
    c = d.get("content") or {}
    title = (c.get("title") or "").strip()
    abstract = (c.get("abstract") or "").strip()
    return f"{title}. {abstract}" if abstract else title


def gold_store(version: int, folder: Path):
    """A store of the archives of one version: one work per paper, authored by participants."""
    from labscout.records import Authorship, Work
    from labscout.store import Store
    from labscout.store.store import Batch

    base = GOLD / f"d_20_{version}"
    papers: dict[str, dict] = {}
    authors: dict[str, list[str]] = {}
    for f in sorted((base / "archives").glob("*.jsonl")):
        for d in _read_jsonl(f):
            pid = str(d.get("id"))
            papers.setdefault(pid, d)
            authors.setdefault(pid, []).append(f.stem)
    works = []
    for pid, d in papers.items():
        c = d.get("content") or {}
        works.append(
            Work(
                id=f"P{pid}",
                title=(c.get("title") or "").strip(),
                abstract=(c.get("abstract") or "").strip() or None,
                authorships=tuple(
                    Authorship(a, "first", i) for i, a in enumerate(sorted(set(authors[pid])))
                ),
                source="goldstandard",
            )
        )
    store = Store(folder / f"gold{version}.duckdb")
    store.write(Batch(works=works))
    return store


def fusion_on_gold(versions: list[int]) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from labscout.evaluation.goldstandard import evaluate, read_evaluations
    from labscout.index.build import build_index, load_index
    from labscout.index.cache import EmbeddingCache
    from labscout.index.embedders import get_embedder
    from labscout.rank.aggregate import aggregate
    from labscout.rank.params import RankParams
    from labscout.rank.retrieve import QueryText, retrieve

    ratings = read_evaluations(GOLD / "evaluations.csv")
    results: dict[str, list[float]] = {name: [] for name in [*CONFIGS, "TF-IDF max (baseline)"]}
    easy: dict[str, list[float]] = {name: [] for name in results}
    with tempfile.TemporaryDirectory() as tmp:
        for v in versions:
            store = gold_store(v, Path(tmp))
            t0 = time.perf_counter()
            build_index(store)
            idx = load_index(store)
            subs = json.loads((GOLD / f"d_20_{v}" / "submissions.json").read_text())
            sub_ids = sorted(subs)
            queries = [QueryText(_text(subs[s])) for s in sub_ids]
            works = {w.id: w for w in store.get_works(list(idx.work_ids))}
            print(f"d_20_{v}: {len(idx)} profile papers, index {time.perf_counter() - t0:.1f}s")
            with EmbeddingCache() as cache:
                qvecs = get_embedder(idx.embedder_name).embed(
                    [q.text for q in queries], cache=cache
                )
            queries = [QueryText(q.text, vector=v) for q, v in zip(queries, qvecs, strict=True)]
            for name, cfg in CONFIGS.items():
                params = RankParams(depth=len(idx), **cfg)
                scores: dict[tuple[str, str], float] = {}
                for sid, q in zip(sub_ids, queries, strict=True):
                    got = retrieve(idx, [q], params)
                    by_work = {idx.work_ids[r]: s for r, s in got.scores.items()}
                    for a in aggregate(by_work, works, params):
                        scores[(sid, a.author_id)] = a.score
                r = evaluate(ratings, scores)
                results[name].append(r.loss)
                easy[name].append(r.easy_accuracy)
            # baseline: TF-IDF, a participant's score = max cosine over their profile papers
            texts = [
                _text({"content": {"title": w.title, "abstract": w.abstract}})
                for w in works.values()
            ]
            wids = list(works)
            vec = TfidfVectorizer(stop_words="english", sublinear_tf=True)
            m = vec.fit_transform(texts + [q.text for q in queries])
            sims = (m[len(texts) :] @ m[: len(texts)].T).toarray()
            owners: dict[str, list[int]] = {}
            for j, wid in enumerate(wids):
                for a in works[wid].authorships:
                    owners.setdefault(a.author_id, []).append(j)
            scores = {
                (sid, a): float(sims[i, cols].max())
                for i, sid in enumerate(sub_ids)
                for a, cols in owners.items()
            }
            r = evaluate(ratings, scores)
            results["TF-IDF max (baseline)"].append(r.loss)
            easy["TF-IDF max (baseline)"].append(r.easy_accuracy)
            store.close()
    base = statistics.mean(results["TF-IDF max (baseline)"])
    print(f"\nGold-standard loss through find's path, versions {versions} (lower is better)")
    print("| configuration | mean loss | vs TF-IDF | easy-pair accuracy |")
    print("|---|---|---|---|")
    for name, losses in results.items():
        mean = statistics.mean(losses)
        print(f"| {name} | {mean:.3f} | {mean / base:.2f}x | {statistics.mean(easy[name]):.3f} |")


def _percentiles(times: list[float]) -> tuple[float, float]:
    arr = np.asarray(times) * 1000
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 95))


def timings_demo() -> None:
    from labscout.demo import demo_corpus_path
    from labscout.index.build import build_index, load_index
    from labscout.index.lexical import LexicalIndex
    from labscout.ingest import openalex_files
    from labscout.query import Query
    from labscout.rank.find import find
    from labscout.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "demo.duckdb")
        openalex_files(store, [demo_corpus_path()], force=True)
        t0 = time.perf_counter()
        report = build_index(store, cache=False)
        build_s = time.perf_counter() - t0
        texts = [
            f"{t}. {a}"
            for t, a in store.con.execute("SELECT title, abstract FROM works").fetchall()
        ]
        t0 = time.perf_counter()
        LexicalIndex.build(texts)
        bm25_s = time.perf_counter() - t0
        index = load_index(store)
        find(store, Query(text="warm up"), index=index)
        times = []
        for _ in range(3):
            for q in QUERIES:
                t0 = time.perf_counter()
                find(store, Query(text=q), index=index)
                times.append(time.perf_counter() - t0)
        p50, p95 = _percentiles(times)
        like_times = []
        for wid in index.work_ids[:30]:
            t0 = time.perf_counter()
            find(store, Query(like=(wid,)), index=index)
            like_times.append(time.perf_counter() - t0)
        l50, l95 = _percentiles(like_times)
        print("\nDemo corpus (195 works)")
        rate = 195 / report.embed_seconds
        print(f"index build, no embedding cache: {build_s:.1f}s (embedding "
              f"{report.embed_seconds:.1f}s = {rate:.1f} texts/s; BM25 alone "
              f"{bm25_s * 1000:.0f} ms, {bm25_s / build_s:.3f}x of the build)")  # fmt: skip
        print(f"find free text: p50 {p50:.0f} ms, p95 {p95:.0f} ms over {len(times)} queries")
        print(f"find --like one work: p50 {l50:.0f} ms, p95 {l95:.0f} ms over {len(like_times)}")
        print(f"free text vs --like p50 ratio: {p50 / l50:.2f}x (the difference is embedding "
              "the query)")  # fmt: skip
        store.close()


def timings_store(db: str, embedder: str | None) -> None:
    from labscout.index.build import build_index, load_index
    from labscout.query import Query
    from labscout.rank.find import find
    from labscout.store import Store

    store = Store(db, read_only=True)
    n = store.counts()["works"]
    t0 = time.perf_counter()
    report = build_index(store, embedder=embedder)
    build_s = time.perf_counter() - t0
    print(f"\n{db}: {n:,} works")
    print(report.summary())
    index = load_index(store)
    find(store, Query(text="warm up"), index=index)
    times = []
    for q in QUERIES:
        t0 = time.perf_counter()
        find(store, Query(text=q), index=index)
        times.append(time.perf_counter() - t0)
    p50, p95 = _percentiles(times)
    print(f"index build {build_s:.1f}s; find free text p50 {p50:.0f} ms, p95 {p95:.0f} ms "
          f"over {len(times)} queries ({index.manifest['vectors']['kind']} vectors)")  # fmt: skip
    like = []
    for wid in index.work_ids[:: max(1, len(index.work_ids) // 20)][:20]:
        t0 = time.perf_counter()
        find(store, Query(like=(wid,)), index=index)
        like.append(time.perf_counter() - t0)
    l50, l95 = _percentiles(like)
    print(f"find --like one work: p50 {l50:.0f} ms, p95 {l95:.0f} ms over {len(like)}")
    store.close()


def compare_speed(db: str, rounds: int = 3, top: int = 10) -> None:
    """find's latency with each set of defaults on an indexed store, the sets alternating
    query by query in one process (so load and caches fall on all alike): the defaults
    before issue 18 (``RankParams.legacy()``), those of issue 18 without the body of work
    (``body_weight=0``), and today's. Short topic queries (``QUERIES``) and abstract-length
    ones (title and abstract of 10 stored works, spread over the store). The index must
    exist (it is loaded, never built); the load average is printed beside the figures."""
    import os

    from labscout.index.build import load_index
    from labscout.query import Query
    from labscout.rank.find import find
    from labscout.rank.params import RankParams
    from labscout.store import Store

    store = Store(db, read_only=True)
    index = load_index(store)
    sets = {
        "before (legacy)": RankParams.legacy(),
        "issue 18 (no body)": RankParams(body_weight=0.0),
        "now": RankParams(),
    }
    rows = index.work_ids[:: max(1, len(index.work_ids) // 10)][:10]
    abstracts = [f"{w.title}. {w.abstract}" for w in store.get_works(rows) if w.abstract]
    t0 = time.perf_counter()
    for params in sets.values():  # warm-up: the model, the profiles
        find(store, Query(text=abstracts[0], top=top), params=params, index=index)
    print(f"\n{db}: {len(index):,} works ({index.manifest['vectors']['kind']} vectors, "
          f"{index.embedder_name}); warm-up {time.perf_counter() - t0:.1f}s")  # fmt: skip
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| queries | defaults | finds | p50 ms | p95 ms |")
    print("|---|---|---|---|---|")
    for kind, texts in (("short topic", QUERIES), ("abstract-length", abstracts)):
        times: dict[str, list[float]] = {name: [] for name in sets}
        for _ in range(rounds):
            for text in texts:
                for name, params in sets.items():
                    t = time.perf_counter()
                    find(store, Query(text=text, top=top), params=params, index=index)
                    times[name].append(time.perf_counter() - t)
        for name, got in times.items():
            p50, p95 = _percentiles(got)
            print(f"| {kind} | {name} | {len(got)} | {p50:.0f} | {p95:.0f} |")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    store.close()


def expert_recall(db: str, n: int = 200, seed: int = 0) -> None:
    """Leave-one-out on a real corpus: a paper's title is the query, the paper itself is
    hidden, and its authors who have other papers in the corpus are the right answers."""
    from labscout.index.build import load_index
    from labscout.rank.aggregate import aggregate
    from labscout.rank.params import RankParams
    from labscout.rank.retrieve import _dense_top, _lexical_top, fuse
    from labscout.store import Store

    store = Store(db, read_only=True)
    index = load_index(store)
    counts = dict(
        store.con.execute("SELECT author_id, count(*) FROM authorships GROUP BY 1").fetchall()
    )
    rng = np.random.default_rng(seed)
    candidates = [
        r[0]
        for r in store.con.execute(
            "SELECT id FROM works WHERE abstract IS NOT NULL AND length(title) > 20 ORDER BY id"
        ).fetchall()
    ]
    picked: list[tuple[str, set[str], str | None]] = []
    for wid in rng.permutation(candidates):
        w = store.works_for_ranking([str(wid)])[str(wid)]
        truth = {a.author_id for a in w.authorships if counts.get(a.author_id, 0) >= 2}
        if truth and str(wid) in index.row_of:
            last = next((a.author_id for a in w.authorships if a.author_position == "last"), None)
            picked.append((str(wid), truth, last if last in truth else None))
        if len(picked) == n:
            break
    titles = dict(
        store.con.execute(
            "SELECT id, title FROM works WHERE id IN (SELECT unnest(?))", [[p[0] for p in picked]]
        ).fetchall()
    )
    configs = {**CONFIGS, **{f"weighted 0.3/0.7, {k}": v for k, v in AGG_CONFIGS.items()}}
    stats: dict[str, list[tuple[float, bool, bool]]] = {name: [] for name in configs}
    depth = RankParams().depth
    t0 = time.perf_counter()
    qvecs = index.embed_queries([titles[p[0]] for p in picked])
    for (wid, truth, last), qv in zip(picked, qvecs, strict=True):
        mask = index.live.copy()
        mask[index.row_of[wid]] = False
        lexical = _lexical_top(index, titles[wid], mask, depth)
        dense = _dense_top(index, qv[None, :], mask, depth)[0]
        records = store.works_for_ranking(sorted({index.work_ids[r] for r, _ in lexical + dense}))
        for name, cfg in configs.items():
            params = RankParams(**cfg)
            scores = {index.work_ids[r]: s for r, s in fuse(lexical, dense, params).items()}
            ranked = [a.author_id for a in aggregate(scores, records, params)]
            pos = next((i for i, a in enumerate(ranked, 1) if a in truth), None)
            stats[name].append(
                (
                    1 / pos if pos else 0.0,
                    bool(pos and pos <= 10),
                    bool(last and last in ranked[:10]),
                )
            )
    print(f"\nExpert recall on {db}: {len(picked)} papers, title as the query, paper hidden "
          f"({time.perf_counter() - t0:.0f}s; embedder {index.embedder_name})")  # fmt: skip
    print("| configuration | MRR of the first author found | an author in top 10 | "
          "last author in top 10 |")  # fmt: skip
    print("|---|---|---|---|")
    n_last = sum(1 for p in picked if p[2])
    for name, rows in stats.items():
        mrr = statistics.mean(r[0] for r in rows)
        at10 = statistics.mean(r[1] for r in rows)
        last10 = sum(r[2] for r in rows) / max(1, n_last)
        print(f"| {name} | {mrr:.3f} | {at10:.3f} | {last10:.3f} |")
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--versions", default="1", help="gold-standard versions, e.g. 1,2,3")
    ap.add_argument("--skip-gold", action="store_true")
    ap.add_argument("--skip-demo", action="store_true")
    ap.add_argument("--paperlists-db", help="a store built with `labscout ingest paperlists`")
    ap.add_argument("--embedder", help="embedder for the --paperlists-db index")
    ap.add_argument("--recall", type=int, default=0, help="leave-one-out papers (--paperlists-db)")
    ap.add_argument(
        "--speed",
        action="store_true",
        help="with --paperlists-db: find's p50/p95 with the old and new defaults, alternating "
        "(loads the index, builds nothing)",
    )
    args = ap.parse_args()
    if args.speed and args.paperlists_db:
        compare_speed(args.paperlists_db)
        return
    if not args.skip_gold:
        if not GOLD.is_dir():
            print(f"skipped: {GOLD} not found")
        else:
            fusion_on_gold([int(v) for v in args.versions.split(",")])
    if not args.skip_demo:
        timings_demo()
    if args.paperlists_db and args.recall:
        expert_recall(args.paperlists_db, args.recall)
    elif args.paperlists_db:
        timings_store(args.paperlists_db, args.embedder)


if __name__ == "__main__":
    sys.exit(main())
