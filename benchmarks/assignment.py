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
- affinity: ``labscout.rank.affinity`` when present, else TF-IDF (scikit-learn,
  sublinear tf, English stop words) cosine between the paper's title+abstract
  and each paper of the participant's profile (``archives/~ID.jsonl``),
  aggregated as the mean of the top 3 (``labscout.rank.scoring.top_k_mean``);
  one run per profile version d_20_1..d_20_10, figures averaged;
- random: uniform random scores, a random feasible assignment (100 seeds);
- oracle: the true ratings as scores (the best mean achievable).

    .venv/bin/python benchmarks/assignment.py [--loads 1 2 3] [--random-seeds 100]

Prints mean self-rated expertise of the assigned pairs for each, and the
ratio (affinity - random) / (oracle - random): the share of the achievable
gain over random that affinity reaches. Skips cleanly without ../shared/data.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from labscout.committee import assign
from labscout.rank.scoring import top_k_mean

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


def text(d: dict) -> str:
    c = d.get("content", {})
    return f"{c.get('title') or ''}. {c.get('abstract') or ''}"


def affinity_scores(version: int, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """Affinity of each (participant, paper) pair from profile version ``version``."""
    folder = GOLD / f"d_20_{version}"
    subs = json.loads((folder / "submissions.json").read_text(encoding="utf-8"))
    from sklearn.feature_extraction.text import TfidfVectorizer

    profiles: dict[str, list[str]] = {}
    for pid in {p for p, _ in pairs}:
        path = folder / "archives" / f"~{pid}.jsonl"
        lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
        profiles[pid] = [text(json.loads(ln)) for ln in lines if ln.strip()]
    paper_ids = sorted({p for _, p in pairs})
    corpus = [text(subs[p]) for p in paper_ids] + [t for ts in profiles.values() for t in ts]
    vec = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit(corpus)
    pv = vec.transform([text(subs[p]) for p in paper_ids])
    prow = {p: i for i, p in enumerate(paper_ids)}
    out = {}
    for pid, texts in profiles.items():
        if not texts:
            for part, paper in pairs:
                if part == pid:
                    out[(part, paper)] = 0.0
            continue
        sims = (pv @ vec.transform(texts).T).toarray()  # rows: papers, cols: profile
        agg = top_k_mean(sims, k=3, axis=1)
        for part, paper in pairs:
            if part == pid:
                out[(part, paper)] = float(agg[prow[paper]])
    return out


def mean_expertise(result, ratings) -> float:
    return statistics.fmean(ratings[(p.paper_id, p.reviewer_id)] for p in result.pairs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loads", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--random-seeds", type=int, default=100)
    ap.add_argument("--versions", type=int, default=10)
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
    t0 = time.perf_counter()
    versions = [affinity_scores(v, pairs) for v in range(1, args.versions + 1)]
    print(
        f"affinity: TF-IDF top-3 mean, {len(versions)} profile versions "
        f"({time.perf_counter() - t0:.1f}s)"
    )
    print()
    header = (
        f"{'L':>3} {'assigned':>9} {'random':>15} {'affinity':>10} {'aff. fair':>10} "
        f"{'oracle':>8} {'gain share':>11} {'solve ms':>9}"
    )
    print(header)
    for load in args.loads:

        def solve(scores, fair=False, load=load):
            return assign(
                [(p, q, s) for (p, q), s in scores.items()],
                reviewers_per_paper=load,
                max_papers_per_reviewer=1,
                fair=fair,
            )

        rnd = []
        for seed in range(args.random_seeds):
            rng = random.Random(seed)
            rnd.append(mean_expertise(solve({pq: rng.random() for pq in pairs}), ratings))
        t0 = time.perf_counter()
        aff = [mean_expertise(solve(s), ratings) for s in versions]
        t_solve = (time.perf_counter() - t0) * 1000 / len(versions)
        fair = [mean_expertise(solve(s, fair=True), ratings) for s in versions]
        oracle = mean_expertise(solve(ratings), ratings)
        r, a = statistics.fmean(rnd), statistics.fmean(aff)
        share = (a - r) / (oracle - r) if oracle > r else float("nan")
        print(
            f"{load:>3} {n_part * load:>9} {r:>8.3f} ±{statistics.pstdev(rnd):.3f} "
            f"{a:>10.3f} {statistics.fmean(fair):>10.3f} {oracle:>8.3f} {share:>10.0%} "
            f"{t_solve:>9.1f}"
        )
    print()
    print(
        "figures: mean self-rated expertise (1-5) of the assigned pairs; random is the mean "
        "± sd over seeds; affinity and fair are means over the profile versions"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
