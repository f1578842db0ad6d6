"""Assignment quality on the gold standard: affinity-driven vs random vs oracle.

Data: ``../shared/data/goldstandard`` (40 participants, 335 rated
(participant, paper) pairs on 327 papers, self-rated expertise 1-5).

Why the roles are swapped: 320 of the 327 papers were rated by one participant
only, so "every paper gets R reviewers among those who rated it" leaves no
choice at all. The choice the ratings can judge is *which* of the papers a
participant rated they are given. So each participant must receive exactly
``L`` papers (the solver's reviewers-per-paper, with participants in the
paper role), each paper goes to at most one participant (max load 1), and
only rated pairs are candidates, so every assigned pair has a true rating.
Every participant rated at least 3 papers, so L = 1, 2, 3 are feasible.

Scores, all solved by the same ``labscout.committee.assign`` (HiGHS MILP):
- minilm: ``labscout.rank.affinity.affinity_from_files`` with its defaults
  (MiniLM embeddings fused with TF-IDF, top-3 mean over the participant's
  profile ``archives/~ID.jsonl``), one run per profile version d_20_1..d_20_10,
  figures averaged over the versions;
- tfidf: the same with ``embedder=None`` (its TF-IDF part alone);
- random: uniform random scores, i.e. a random feasible assignment (100 seeds);
- oracle: the true ratings as scores (the best mean achievable).
Each affinity is also solved with ``fair=True`` (the worst participant's
total affinity first, then the total).

    .venv/bin/python benchmarks/assignment.py [--loads 1 2 3] [--random-seeds 100] \\
        [--affinity minilm tfidf]

Prints mean self-rated expertise of the assigned pairs for each, and the
ratio (affinity - random) / (oracle - random): the share of the achievable
gain over random that affinity reaches. Skips cleanly without ../shared/data.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time
from pathlib import Path

from labscout.committee import assign
from labscout.rank.affinity import LEXICAL_WEIGHT, TOP_K, affinity_from_files

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LABSCOUT_SHARED", ROOT.parent / "shared"))
GOLD = SHARED / "data" / "goldstandard"


def read_ratings() -> dict[tuple[str, str], float]:
    out = {}
    with open(GOLD / "evaluations.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            for i in range(1, 11):
                paper, e = row.get(f"Paper{i}"), row.get(f"Expertise{i}")
                if paper and e:
                    out[(row["ParticipantID"], paper)] = float(e)
    return out


def affinity_scores(
    version: int, pairs: list[tuple[str, str]], embedder: str | None
) -> dict[tuple[str, str], float]:
    """Affinity of each rated (participant, paper) pair from profile version ``version``,
    by ``labscout.rank.affinity`` (``embedder=None``: its TF-IDF part alone)."""
    folder = GOLD / f"d_20_{version}"
    result = affinity_from_files(folder / "submissions.json", folder / "archives", embedder)
    scores = {(r.lstrip("~"), p): s for p, r, s in result.rows()}
    return {pq: scores.get(pq, 0.0) for pq in pairs}


def mean_expertise(result, ratings) -> float:
    return statistics.fmean(ratings[(p.paper_id, p.reviewer_id)] for p in result.pairs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loads", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--random-seeds", type=int, default=100)
    ap.add_argument("--versions", type=int, default=10)
    ap.add_argument(
        "--affinity", nargs="+", default=["minilm", "tfidf"], choices=["minilm", "tfidf"]
    )
    args = ap.parse_args()
    if not GOLD.is_dir():
        print(f"skipped: {GOLD} not found")
        return 0
    ratings = read_ratings()
    pairs = sorted(ratings)
    n_part = len({p for p, _ in pairs})
    print(
        f"gold standard: {n_part} participants, {len(pairs)} rated pairs, "
        f"{len({q for _, q in pairs})} papers; overall mean rating "
        f"{statistics.fmean(ratings.values()):.3f}"
    )
    kinds: dict[str, list[dict[tuple[str, str], float]]] = {}
    for name in args.affinity:
        embedder = "minilm" if name == "minilm" else None
        t0 = time.perf_counter()
        kinds[name] = [affinity_scores(v, pairs, embedder) for v in range(1, args.versions + 1)]
        how = f"MiniLM fused with TF-IDF, lexical weight {LEXICAL_WEIGHT}" if embedder else "TF-IDF"
        print(
            f"affinity {name}: labscout.rank.affinity, top-{TOP_K} mean, {how}; "
            f"{args.versions} profile versions in {time.perf_counter() - t0:.0f}s",
            flush=True,
        )
    print()
    header = f"{'L':>3} {'assigned':>9} {'random':>15}"
    for name in kinds:
        header += f" {name:>8} {name + ' fair':>12}"
    header += f" {'oracle':>8}" + "".join(f" {'share ' + n:>13}" for n in kinds)
    print(header)
    solve_ms = []
    for load in args.loads:

        def solve(scores, fair=False, load=load):
            t0 = time.perf_counter()
            out = assign(
                [(p, q, s) for (p, q), s in scores.items()],
                reviewers_per_paper=load,
                max_papers_per_reviewer=1,
                fair=fair,
            )
            solve_ms.append((time.perf_counter() - t0) * 1000)
            return out

        rnd = []
        for seed in range(args.random_seeds):
            rng = random.Random(seed)
            rnd.append(mean_expertise(solve({pq: rng.random() for pq in pairs}), ratings))
        oracle = mean_expertise(solve(ratings), ratings)
        r = statistics.fmean(rnd)
        line = f"{load:>3} {n_part * load:>9} {r:>8.3f} ±{statistics.pstdev(rnd):.3f}"
        shares = []
        for versions in kinds.values():
            a = statistics.fmean(mean_expertise(solve(sc), ratings) for sc in versions)
            f = statistics.fmean(mean_expertise(solve(sc, fair=True), ratings) for sc in versions)
            line += f" {a:>8.3f} {f:>12.3f}"
            shares.append((a - r) / (oracle - r) if oracle > r else float("nan"))
        line += f" {oracle:>8.3f}" + "".join(f" {x:>13.0%}" for x in shares)
        print(line, flush=True)
    print()
    print(
        "mean self-rated expertise (1-5) of the assigned pairs; random: mean ± sd over "
        "seeds; affinities: mean over profile versions; share: (affinity - random) / "
        f"(oracle - random). Median solve {statistics.median(solve_ms):.0f} ms "
        f"over {len(solve_ms)} solves."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
