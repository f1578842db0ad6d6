"""Reviewer-paper affinity on the gold standard: mean loss over the 10 versions.

Runs :func:`labscout.rank.affinity.affinity_from_files` on every version
``d_20_1 .. d_20_10`` of ../shared/data/goldstandard for each method, scores
it with :mod:`labscout.evaluation.goldstandard` (loss, easy/hard pair
accuracy), and prints each beside the TF-IDF baseline computed in the same
run, and (without ``--grid``) the defaults before issue 18 (raw-word TF-IDF,
not centred on the reviewer pool) and before session 3 (stemmed, centred, vocabulary
not pruned) beside the new ones. Each distinct text is
embedded once per embedder (an embedding cache in a temporary folder unless
``--cache-dir`` is given).

    .venv/bin/python benchmarks/goldstandard.py                 # the default + baselines
    .venv/bin/python benchmarks/goldstandard.py --grid          # top_k x lexical weight
    .venv/bin/python benchmarks/goldstandard.py --embedders minilm-torch minilm-int8
    .venv/bin/python benchmarks/goldstandard.py --embedders --bm25  # lexical scorers only
    .venv/bin/python benchmarks/goldstandard.py --ablation  # stem x centre x prune, by halves
    .venv/bin/python benchmarks/goldstandard.py --pools     # pruning in pools of 5..40 reviewers
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DATA = Path(os.environ.get("LABSCOUT_SHARED", ROOT.parent / "shared")) / "data" / "goldstandard"

from labscout.evaluation.goldstandard import evaluate, read_evaluations  # noqa: E402
from labscout.rank.affinity import (  # noqa: E402
    LEXICAL_WEIGHT,
    TOP_K,
    affinity_from_files,
    compute_affinity,
)

OLD_LEXICAL = {"stem_lexical": False, "centre_lexical": False, "prune_lexical": False}
"""The lexical scorer before issue 18: raw words, scores not centred on the reviewer pool."""

UNPRUNED = {"prune_lexical": False}
"""The lexical scorer of issue 18's second session: stemmed, centred, every word kept."""


def run_method(
    versions: list[Path],
    ratings,
    embedder: str | None,
    top_k: int,
    weight: float,
    cache_dir: str,
    **lexical: bool,
) -> dict[str, float]:
    losses, easy, hard = [], [], []
    for v in versions:
        result = affinity_from_files(
            v / "submissions.json",
            v / "archives",
            embedder,
            top_k=top_k,
            lexical_weight=weight,
            cache_dir=cache_dir,
            **lexical,
        )
        r = evaluate(ratings, result.as_dict())
        if r.n_missing:
            raise SystemExit(f"{v.name}: {r.n_missing} rated pairs have no score")
        losses.append(r.loss)
        easy.append(r.easy_accuracy)
        hard.append(r.hard_accuracy)
    return {
        "loss": float(np.mean(losses)),
        "sd": float(np.std(losses)),
        "easy": float(np.mean(easy)),
        "hard": float(np.mean(hard)),
    }


def bm25_method(versions: list[Path], ratings, top_k: int) -> dict[str, float]:
    """BM25 (bm25s) as the lexical scorer instead of TF-IDF, for comparison.

    BM25 scores are not comparable across queries, so the index holds the
    submissions and each profile paper is a query; a pair scores the top-k mean
    over the reviewer's papers.
    """
    import bm25s

    from labscout.rank.scoring import top_k_mean
    from labscout.sources.openreview_expertise import read_archives, read_submissions

    def tok(texts: list[str]):
        return bm25s.tokenize(texts, stopwords="en", show_progress=False)

    losses, easy, hard = [], [], []
    for v in versions:
        subs, _ = read_submissions(v / "submissions.json")
        archives, _ = read_archives(v / "archives")
        index = bm25s.BM25()
        index.index(tok([p.text for p in subs]), show_progress=False)
        scores = {}
        for reviewer, papers in archives.items():
            if not papers:
                continue
            queries = bm25s.tokenize(
                [p.text for p in papers], stopwords="en", return_ids=False, show_progress=False
            )
            sims = np.stack([index.get_scores(q) for q in queries], axis=1)
            for i, s in enumerate(top_k_mean(sims, top_k, axis=1)):
                scores[(subs[i].id, reviewer)] = float(s)
        r = evaluate(ratings, scores)
        losses.append(r.loss)
        easy.append(r.easy_accuracy)
        hard.append(r.hard_accuracy)
    return {
        "loss": float(np.mean(losses)),
        "sd": float(np.std(losses)),
        "easy": float(np.mean(easy)),
        "hard": float(np.mean(hard)),
    }


def ablation(versions: list[Path], ratings, embedder: str, cache_dir: str) -> None:
    """The lexical changes of issue 18, alone and together, on each half of the versions
    (settings are picked on one half and confirmed on the other) and on all 10."""
    halves = {"v1-5": versions[:5], "v6-10": versions[5:], "all": versions}
    print(
        "| stemmed | centred | pruned | loss v1-5 (sd) | loss v6-10 (sd) | loss all 10 (sd) |\n"
        "|---|---|---|---|---|---|"
    )
    combos = [(s, c, False) for s in (False, True) for c in (False, True)] + [
        (False, False, True),
        (True, False, True),
        (True, True, True),
    ]
    yes = {False: "no", True: "yes"}
    for stem, centre, prune in combos:
        cells = []
        for half in halves.values():
            r = run_method(
                half, ratings, embedder, TOP_K, LEXICAL_WEIGHT, cache_dir,
                stem_lexical=stem, centre_lexical=centre, prune_lexical=prune,
            )  # fmt: skip
            cells.append(f"{r['loss']:.4f} ({r['sd']:.4f})")
        print(f"| {yes[stem]} | {yes[centre]} | {yes[prune]} | {' | '.join(cells)} |")


def pools(versions: list[Path], ratings, embedder: str, cache_dir: str, draws: int = 20) -> None:
    """Pruning in smaller pools: random sets of reviewers with the papers they rated.

    The vocabulary's document frequencies, the centring pool and the fusion's scale all
    depend on the pool, so a setting chosen on 40 reviewers is checked on 5 to 30. Each
    draw scores the same pool with and without pruning; the table gives the mean loss and
    the mean paired difference with its standard error.
    """
    from labscout.evaluation.goldstandard import participant_key
    from labscout.index.cache import EmbeddingCache
    from labscout.index.embedders import get_embedder
    from labscout.sources.openreview_expertise import read_archives, read_submissions

    emb = get_embedder(embedder, cache_dir=cache_dir)
    rng = np.random.default_rng(0)
    data = []
    for v in versions:
        subs, _ = read_submissions(v / "submissions.json")
        archives, _ = read_archives(v / "archives")
        data.append((subs, archives))
    print(
        "| reviewers | texts (mean) | draws | unpruned | pruned | difference (se) |\n"
        "|---|---|---|---|---|---|"
    )
    with EmbeddingCache(cache_dir) as cache:
        for size in (5, 10, 20, 30, 40):
            n_draws = len(versions) if size == 40 else draws
            base, new, texts = [], [], []
            for draw in range(n_draws):
                subs, archives = data[draw % len(data)]
                ids = sorted(archives)
                chosen = sorted(rng.choice(len(ids), size, replace=False))
                pool = {ids[i]: archives[ids[i]] for i in chosen}
                rated = {pid: r for pid, r in ratings.items() if f"~{participant_key(pid)}" in pool}
                wanted = {p for r in rated.values() for p in r}
                pool_subs = [p for p in subs if p.id in wanted]
                texts.append(len(pool_subs) + sum(len(a) for a in pool.values()))
                for out, prune in ((base, False), (new, True)):
                    res = compute_affinity(pool_subs, pool, emb, cache=cache, prune_lexical=prune)
                    out.append(evaluate(rated, res.as_dict()).loss)
            d = np.array(new) - np.array(base)
            print(
                f"| {size} | {np.mean(texts):.0f} | {n_draws} | {np.mean(base):.4f} | "
                f"{np.mean(new):.4f} | {d.mean():+.4f} ({d.std() / np.sqrt(len(d)):.4f}) |"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embedders", nargs="*", default=["minilm"])
    ap.add_argument("--grid", action="store_true", help="top_k in 1,3,5 x lexical weight")
    ap.add_argument("--bm25", action="store_true", help="also BM25 as the lexical scorer")
    ap.add_argument("--cache-dir", default=None, help="embedding cache (default: a temp folder)")
    ap.add_argument(
        "--ablation",
        action="store_true",
        help="stemming x centring x pruning of the TF-IDF half, by halves of the versions",
    )
    ap.add_argument(
        "--pools", action="store_true", help="pruning in random pools of 5 to 40 reviewers"
    )
    args = ap.parse_args()
    if not (DATA / "evaluations.csv").is_file():
        print(f"skip: gold standard not found at {DATA}")
        return
    versions = sorted(DATA.glob("d_20_*"), key=lambda p: int(p.name.rsplit("_", 1)[1]))
    ratings = read_evaluations(DATA / "evaluations.csv")
    tmp = tempfile.TemporaryDirectory(prefix="labscout-gs-")
    cache_dir = args.cache_dir or tmp.name
    if args.ablation:
        ablation(versions, ratings, args.embedders[0] if args.embedders else "minilm", cache_dir)
        return
    if args.pools:
        pools(versions, ratings, args.embedders[0] if args.embedders else "minilm", cache_dir)
        return
    print(f"{len(versions)} versions, {len(ratings)} participants; loss is the mean over versions")
    t = time.perf_counter()
    base = run_method(versions, ratings, None, TOP_K, 1.0, cache_dir, **OLD_LEXICAL)
    print(f"(TF-IDF baseline: {time.perf_counter() - t:.1f}s for all versions)")
    rows = [("tfidf (baseline)", f"top-{TOP_K}", 1.0, base)]
    mid_tfidf = run_method(versions, ratings, None, TOP_K, 1.0, cache_dir, **UNPRUNED)
    rows.append(("tfidf stemmed, centred", f"top-{TOP_K}", 1.0, mid_tfidf))
    new_tfidf = run_method(versions, ratings, None, TOP_K, 1.0, cache_dir)
    rows.append(("tfidf stemmed, centred, pruned", f"top-{TOP_K}", 1.0, new_tfidf))
    if args.bm25:
        for k in (1, TOP_K):
            rows.append(("bm25 (bm25s)", f"top-{k}", 1.0, bm25_method(versions, ratings, k)))
    if args.grid:
        settings = [(k, w) for k in (1, 3, 5) for w in (0.0, 0.2, 0.3, 0.4, 0.5)]
    else:
        settings = [(1, 0.0), (TOP_K, 0.0), (TOP_K, LEXICAL_WEIGHT)]
    for name in args.embedders:
        if not args.grid:  # the defaults before issue 18, in the same run
            old = run_method(
                versions, ratings, name, TOP_K, LEXICAL_WEIGHT, cache_dir, **OLD_LEXICAL
            )
            rows.append((f"{name}, old default (raw TF-IDF)", f"top-{TOP_K}", LEXICAL_WEIGHT, old))
            mid = run_method(versions, ratings, name, TOP_K, LEXICAL_WEIGHT, cache_dir, **UNPRUNED)
            rows.append(
                (f"{name}, session-2 default (unpruned)", f"top-{TOP_K}", LEXICAL_WEIGHT, mid)
            )
        for k, w in settings:
            t = time.perf_counter()
            label = f"{name}, new default" if (k, w) == (TOP_K, LEXICAL_WEIGHT) else name
            r = run_method(versions, ratings, name, k, w, cache_dir)
            rows.append((label, f"top-{k}", w, r))
            print(f"({name} top-{k} w={w}: {time.perf_counter() - t:.1f}s)", file=sys.stderr)
    print()
    print("| method | aggregate | lexical weight | loss (sd) | vs TF-IDF | easy acc | hard acc |")
    print("|---|---|---|---|---|---|---|")
    for name, agg, w, r in rows:
        print(
            f"| {name} | {agg} | {w:.1f} | {r['loss']:.4f} ({r['sd']:.4f}) | "
            f"{r['loss'] / base['loss']:.3f} | {r['easy']:.3f} | {r['hard']:.3f} |"
        )
    best = min(rows, key=lambda row: row[3]["loss"])
    print(
        f"\nbest: {best[0]} {best[1]} w={best[2]:.1f}: loss {best[3]['loss']:.4f} "
        f"(target <= 0.205; SPECTER+MFR 0.245, SPECTER 0.266, TPMS 0.286)"
    )
    tmp.cleanup()


if __name__ == "__main__":
    main()
