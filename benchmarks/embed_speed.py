"""Embedding speed of every embedder side by side, with the gold-standard loss of each.

Texts are the distinct title + abstract texts of ../shared/data/goldstandard
(all 10 versions, about 940). Each embedder embeds all of them in one turn,
one embedder after the other; ``--chunk N`` instead cuts them into chunks
that the embedders take in turns (round-robin), which spreads bursts of load
from other processes evenly but, measured, costs the bf16 path much of its
speed (switching between seven models every few batches defeats oneDNN's
caches), so it is not the default. The vectors timed are the vectors scored: each embedder's
loss on the 10 versions is computed from them (top-3 mean, dense alone and
fused with TF-IDF at the affinity default weight). Ratios are against
``minilm-torch`` (the fp32 sentence-transformers reference) timed in the same
run.

    .venv/bin/python benchmarks/embed_speed.py                  # the table
    .venv/bin/python benchmarks/embed_speed.py --profile        # + where the time goes
    .venv/bin/python benchmarks/embed_speed.py --processes      # + 1 vs 2 processes
    .venv/bin/python benchmarks/embed_speed.py --rescore        # + static first stage recall
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SHARED = Path(os.environ.get("LABSCOUT_SHARED", ROOT.parent / "shared")) / "data"
GS = SHARED / "goldstandard"

from labscout.evaluation.goldstandard import evaluate, read_evaluations  # noqa: E402
from labscout.index.cache import EmbeddingCache  # noqa: E402
from labscout.index.embedders import DEFAULT_MINILM, Embedder, get_embedder  # noqa: E402
from labscout.rank.affinity import LEXICAL_WEIGHT, TOP_K, compute_affinity  # noqa: E402
from labscout.sources.openreview_expertise import read_archives, read_submissions  # noqa: E402

BASELINE = "minilm-torch"
EMBEDDERS = [
    "minilm-torch",
    "minilm-bf16",
    "minilm-torch-128",
    "minilm-bf16-128",
    "minilm-int8",
    "minilm-int8-128",
    "minilm-static",
]


def goldstandard_texts() -> list[str]:
    texts: dict[str, None] = {}
    for v in sorted(GS.glob("d_20_*")):
        subs, _ = read_submissions(v / "submissions.json")
        archives, _ = read_archives(v / "archives")
        for p in subs + [p for ps in archives.values() for p in ps]:
            if p.text:
                texts[p.text] = None
    out = list(texts)
    np.random.default_rng(0).shuffle(out)
    return out


def losses(emb: Embedder | None, cache: EmbeddingCache, ratings) -> tuple[float, float]:
    """Mean loss over the versions: dense top-k alone, and fused with TF-IDF."""
    res = []
    for weight in (0.0, LEXICAL_WEIGHT) if emb else (1.0,):
        per_version = []
        for v in sorted(GS.glob("d_20_*")):
            subs, _ = read_submissions(v / "submissions.json")
            archives, _ = read_archives(v / "archives")
            r = compute_affinity(
                subs, archives, emb, top_k=TOP_K, lexical_weight=weight, cache=cache
            )
            per_version.append(evaluate(ratings, r.as_dict()).loss)
        res.append(float(np.mean(per_version)))
    return (res[0], res[-1])


def two_processes(name: str, texts: list[str], batch_size: int, workers: int = 2) -> None:
    """The library's worker pool (``embed(workers=N)``, one thread each, as an index build
    uses it) against one process with every torch thread: timed one, N, one again (the load
    moves), the pool's start (spawn, import, model load) included; load average beside."""
    from labscout.index import parallel

    parallel.PARALLEL_MIN_TEXTS = 0  # time the pool on a sample this small too
    emb = get_embedder(name)
    emb.embed(texts[:16], batch_size=batch_size)  # warm up
    runs = []
    for w in (1, workers, 1):
        load = os.getloadavg()[0]
        t = time.perf_counter()
        vecs = emb.embed(texts, batch_size=batch_size, workers=w)
        runs.append((w, len(texts) / (time.perf_counter() - t), load, vecs))
    t = time.perf_counter()  # the pool's start alone: spawn, import, load, one batch each
    emb.embed(texts[: 2 * workers], batch_size=1, workers=workers)
    start = time.perf_counter() - t
    for w, rate, load, _ in runs:
        print(f"{name}, {len(texts)} texts, {w} process(es): {rate:.1f} texts/s (load {load:.1f})")
    one = (runs[0][1] + runs[2][1]) / 2
    steady = len(texts) / max(len(texts) / runs[1][1] - start, 1e-9)
    diff = np.abs(runs[0][3] - runs[1][3]).max()
    print(
        f"{workers} processes vs 1: x{runs[1][1] / one:.2f} with the pool's start "
        f"({start:.1f} s), x{steady / one:.2f} without ({steady:.1f} texts/s); "
        f"max |diff| {diff:.2e}; load {os.getloadavg()[0]:.1f}"
    )


def profile(name: str, texts: list[str], batch_size: int) -> None:
    """cProfile one embed call; split the time into tokenising, the model, the rest."""
    emb = get_embedder(name)
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    emb.embed(texts, batch_size=batch_size)
    prof.disable()
    total = time.perf_counter() - t
    stats = pstats.Stats(prof)
    buckets = {"tokenise": 0.0, "model": 0.0}
    for (file, _, func), (_, _, _, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "encode_batch" in func:  # the Rust tokenizer, under both paths
            buckets["tokenise"] = max(buckets["tokenise"], cum)
        elif func in {"run", "forward"} and (
            "onnxruntime" in file or "sentence_transformers" in file
        ):
            buckets["model"] = max(buckets["model"], cum)
    print(f"\nprofile of {name} on {len(texts)} texts, batch {batch_size}: {total:.1f}s")
    for k, v in buckets.items():
        print(f"  {k:<9} {v:6.2f}s  {100 * v / total:5.1f}%")
    rest = total - sum(buckets.values())
    print(f"  {'other':<9} {rest:6.2f}s  {100 * rest / total:5.1f}% (pooling, sorting, copies)")
    from tokenizers import Tokenizer

    from labscout.index.embedders import _minilm_folder

    tok = Tokenizer.from_file(str(_minilm_folder() / "tokenizer.json"))
    tok.enable_truncation(max_length=emb.max_tokens)
    tok.no_padding()
    lengths = np.array([len(e.ids) for e in tok.encode_batch(texts)])
    for label, order in (("random order", np.arange(len(texts))), ("length-sorted", None)):
        lens = lengths if order is not None else np.sort(lengths)
        padded = sum(
            len(lens[i : i + batch_size]) * lens[i : i + batch_size].max()
            for i in range(0, len(lens), batch_size)
        )
        print(f"  padding, {label:<13}: {100 * (1 - lengths.sum() / padded):4.1f}% of tokens")
    print(
        f"  tokens per text: mean {lengths.mean():.0f}, "
        f"{100 * np.mean(lengths >= emb.max_tokens):.0f}% truncated at {emb.max_tokens}"
    )


def rescore(
    static: str, dense: str, queries: list[str], batch_size: int, n_corpus: int, model_dir: str
) -> None:
    """Recall of a static first stage: are the dense top-10 among the static top-N?"""
    import gzip
    import json

    corpus: list[str] = []
    for f in sorted((SHARED / "paperlists").glob("*/*.json.gz")):
        with gzip.open(f) as fh:
            records = json.load(fh)
        for rec in records:
            if rec.get("abstract") and rec.get("title"):
                corpus.append(f"{rec['title'].strip()}. {rec['abstract'].strip()}")
        if len(corpus) >= 4 * n_corpus:
            break
    if not corpus:
        print("\nrescore: ../shared/data/paperlists not found; skipped")
        return
    rng = np.random.default_rng(1)
    corpus = [corpus[i] for i in rng.choice(len(corpus), min(n_corpus, len(corpus)), False)]
    s_emb, d_emb = get_embedder(static, cache_dir=model_dir), get_embedder(dense)
    t = time.perf_counter()
    sc = s_emb.embed(corpus, batch_size=batch_size)
    ts = time.perf_counter() - t
    t = time.perf_counter()
    dc = d_emb.embed(corpus, batch_size=batch_size)
    td = time.perf_counter() - t
    sq, dq = s_emb.embed(queries), d_emb.embed(queries)
    truth = np.argsort(-(dq @ dc.T), axis=1)[:, :10]
    first = np.argsort(-(sq @ sc.T), axis=1)
    print(
        f"\nstatic first stage ({static}) + {dense} re-scoring, {len(corpus)} paperlists "
        f"abstracts, {len(queries)} gold-standard papers as queries"
    )
    print(
        f"  corpus embedding: {static} {len(corpus) / ts:.0f} texts/s, "
        f"{dense} {len(corpus) / td:.1f} texts/s"
    )
    for n in (50, 100, 200, 500):
        cand = first[:, :n]
        recall = np.mean([len(set(truth[i]) & set(cand[i])) / 10 for i in range(len(queries))])
        print(
            f"  recall of the dense top-10 in the static top-{n}: {recall:.3f} "
            f"({dense} embeds {n} candidates a query)"
        )


def table(args: argparse.Namespace, texts: list[str], model_dir: str) -> None:
    """Time every embedder round-robin on the same chunks; loss of the timed vectors."""
    names = list(dict.fromkeys([BASELINE, *args.embedders]))
    tmp = tempfile.TemporaryDirectory(prefix="labscout-speed-")
    import torch

    print(
        f"{len(texts)} texts, {len(names)} embedders, chunks of {args.chunk}, "
        f"batch {args.batch_size}; torch threads {torch.get_num_threads()}, "
        f"cpus {os.cpu_count()}, load avg {os.getloadavg()[0]:.1f}"
    )
    loaded, load_s = {}, {}
    for name in names:
        t = time.perf_counter()
        loaded[name] = get_embedder(name, cache_dir=model_dir)
        load_s[name] = time.perf_counter() - t
        loaded[name].embed(texts[:16], batch_size=args.batch_size)  # warm up
    vecs = {n: np.zeros((len(texts), loaded[n].dim), dtype=np.float32) for n in names}
    spent = dict.fromkeys(names, 0.0)
    step = args.chunk or len(texts)
    chunks = [range(i, min(i + step, len(texts))) for i in range(0, len(texts), step)]
    from sklearn.feature_extraction.text import TfidfVectorizer

    t = time.perf_counter()
    TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    tfidf_rate = len(texts) / (time.perf_counter() - t)
    for c, idx in enumerate(chunks):
        part = [texts[i] for i in idx]
        for j in range(len(names)):
            name = names[(c + j) % len(names)]
            t = time.perf_counter()
            vecs[name][idx.start : idx.stop] = loaded[name].embed(part, batch_size=args.batch_size)
            spent[name] += time.perf_counter() - t
    print(f"load avg after timing {os.getloadavg()[0]:.1f}")
    rate = {n: len(texts) / spent[n] for n in names}
    loss: dict[str, tuple[float, float]] = {}
    if not args.no_loss and not args.limit:
        ratings = read_evaluations(GS / "evaluations.csv")
        with EmbeddingCache(tmp.name) as cache:
            loss["tfidf"] = losses(None, cache, ratings)
            for n in names:  # score the very vectors that were timed: all cache hits
                cache.put_many(loaded[n].cache_key, texts, vecs[n])
                loss[n] = losses(loaded[n], cache, ratings)
    print()
    print(
        "| embedder | load s | texts/s | vs minilm-torch | 50k texts | loss top-3 | "
        f"loss + TF-IDF {LEXICAL_WEIGHT} |"
    )
    print("|---|---|---|---|---|---|---|")
    best = min((v[1] for k, v in loss.items() if k != "tfidf"), default=np.nan)
    for n in names:
        mark = " (default)" if n == DEFAULT_MINILM else ""
        lo = loss.get(n, (np.nan, np.nan))
        print(
            f"| {n}{mark} | {load_s[n]:.1f} | {rate[n]:.1f} | x{rate[n] / rate[BASELINE]:.2f} | "
            f"{50000 / rate[n] / 60:.1f} min | {lo[0]:.4f} | {lo[1]:.4f} |"
        )
    if "tfidf" in loss:
        print(
            f"| tfidf (scikit-learn) | - | {tfidf_rate:.0f} | x{tfidf_rate / rate[BASELINE]:.0f} "
            f"| {50000 / tfidf_rate / 60:.2f} min | {loss['tfidf'][0]:.4f} | - |"
        )
        d = loss.get(DEFAULT_MINILM, (np.nan, np.nan))[1]
        print(
            f"\ndefault {DEFAULT_MINILM}: {rate.get(DEFAULT_MINILM, np.nan):.1f} texts/s "
            f"(target >= 100); fused loss {d:.4f}, best {best:.4f} "
            f"(target: within 0.01 of the best)"
        )
    tmp.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embedders", nargs="+", default=EMBEDDERS)
    ap.add_argument("--limit", type=int, default=0, help="texts to time (0: all)")
    ap.add_argument(
        "--chunk", type=int, default=0, help="texts per round-robin turn (0: all in one turn)"
    )
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--no-loss", action="store_true", help="time only")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--processes", action="store_true")
    ap.add_argument("--rescore", action="store_true")
    ap.add_argument("--corpus", type=int, default=2000, help="paperlists texts for --rescore")
    ap.add_argument("--skip-table", action="store_true", help="only the extra sections")
    ap.add_argument("--cache-dir", default=None, help="for the distilled static model")
    args = ap.parse_args()
    if not (GS / "evaluations.csv").is_file():
        print(f"skip: gold standard not found at {GS}")
        return
    texts = goldstandard_texts()
    if args.limit:
        texts = texts[: args.limit]
    model_dir = args.cache_dir or str(Path(tempfile.gettempdir()) / "labscout-models")
    if not args.skip_table:
        table(args, texts, model_dir)
    if args.profile:
        for n in dict.fromkeys([DEFAULT_MINILM, BASELINE, "minilm-int8"]):
            profile(n, texts[:256], args.batch_size)
    if args.processes:
        two_processes(DEFAULT_MINILM, texts[: args.limit or 384], args.batch_size)
    if args.rescore:
        subs: dict[str, None] = {}
        for v in sorted(GS.glob("d_20_*"))[:1]:
            for p in read_submissions(v / "submissions.json")[0]:
                subs[p.text] = None
        rescore(
            "minilm-static",
            DEFAULT_MINILM,
            list(subs)[:100],
            args.batch_size,
            args.corpus,
            model_dir,
        )


if __name__ == "__main__":
    main()
