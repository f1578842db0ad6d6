"""The ladder for three topics against an independent per-topic reference, with the
ranking defaults before and after issue 18 side by side.

Reference: ``../shared/data/ml-venues/icml_neurips_iclr_authors.csv`` (NeurIPS
2006-2018, ICML 2017-2019, ICLR 2018-2019, each author's affiliation at the time of
the paper); for a topic, only the papers whose title matches the topic's pattern
count, and institutions are ranked by the number of such distinct papers. Names on
both sides go through :func:`ladder.canonical` (benchmarks/ladder.py), and ladder
institutions with one canonical name are merged.

Store: ``--db`` an indexed store; by default the cached split-A store of
benchmarks/expert_finding.py (paper lists 2013-2018, the years the reference
covers best): run that benchmark once first.

    .venv/bin/python benchmarks/ladder_topics.py [--db STORE] [--top 20]

Prints, per topic and per defaults (``RankParams.legacy()`` = before issue 18,
``RankParams()`` = now), overlap@20 and @50 with the topic's reference, and the
names that entered and left the top 20. Skips cleanly when the data is absent.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ladder import VENUES_CSV, canonical, merged, overlap  # noqa: E402

TOPICS = {
    "reinforcement learning": r"reinforcement|\bpolicy|\bpolicies|bandit|\bq-learning|actor-critic",
    "graph neural networks": r"\bgraph",
    "generative adversarial networks": r"\bgans?\b|adversarial net|generative adversarial",
}
CACHE = Path.home() / ".cache" / "labscout-bench"


def reference(pattern: str) -> list[str]:
    """Canonical institutions by distinct matching papers, most first."""
    rx = re.compile(pattern, re.I)
    papers: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    with VENUES_CSV.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if not rx.search(row["Title"] or ""):
                continue
            name = canonical(row.get("Affiliation"))
            if name:
                papers[name].add((row["Conference"], row["Year"], row["Title"]))
    return [k for k, _ in sorted(papers.items(), key=lambda kv: (-len(kv[1]), kv[0]))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="an indexed store (default: cached split A)")
    ap.add_argument("--top", type=int, default=20)
    args = ap.parse_args()
    db = args.db
    if db is None:
        done = sorted(CACHE.glob("expert-A-*/done.json"), key=lambda p: p.stat().st_mtime)
        db = done[-1].parent / "store.duckdb" if done else None
    if not VENUES_CSV.is_file() or db is None or not db.is_file():
        print("skipped: the ML venues CSV or an indexed store was not found")
        return 0
    from labscout import Query, RankParams, Store
    from labscout.index.build import load_index
    from labscout.rank.ladder import ladder

    store = Store(db, read_only=True)
    index = load_index(store)
    print(f"store: {db} ({store.counts()['works']:,} works)")
    print("\n| topic | reference papers' institutions | defaults | overlap@20 | overlap@50 | s |")
    print("|---|---|---|---|---|---|")
    moved = []
    for topic, pattern in TOPICS.items():
        ref = reference(pattern)
        tops = {}
        for label, rp in (("before (legacy)", RankParams.legacy()), ("now", RankParams())):
            t0 = time.perf_counter()
            got = ladder(store, Query(text=topic, top=100_000), rank_params=rp, index=index)
            secs = time.perf_counter() - t0
            ours = [n for n, _ in merged([(r.name, r.score) for r in got.institutions])]
            tops[label] = ours[: args.top]
            print(
                f"| {topic} | {len(ref):,} | {label} | {overlap(ours, ref, 20)}/20 | "
                f"{overlap(ours, ref, 50)}/50 | {secs:.1f} |"
            )
        new, old = tops["now"], tops["before (legacy)"]
        moved.append(
            f"{topic}: entered top {args.top}: {', '.join(n for n in new if n not in old) or '-'}"
            f"; left: {', '.join(n for n in old if n not in new) or '-'}; "
            f"reference top 10: {', '.join(ref[:10])}"
        )
    print()
    for line in moved:
        print("- " + line)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
