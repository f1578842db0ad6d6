"""Sanity checks of the intern-host rule and the topic map on the paper lists.

Uses a store built from ``../shared/data/paperlists`` (``--db``; built here
when the file does not exist, ~15 s) and its search index (built with
``--embedder``, default ``minilm-static``, when missing).

1. **Interns.** Every company institution whose name contains Google,
   Microsoft, Meta/Facebook or DeepMind: likely interns per company, and a
   random sample of ``--sample`` flagged (host, intern, paper) triples with
   what a reader needs to judge them by hand (names, the intern's university
   on the paper, works in the store, the host's company, the later work).
   The judging itself is by hand; docs/benchmarks.md has the verdicts.
2. **Topic maps** for ``--topics`` (the 50 works retrieved for each text are
   the query works): every topic with its size, growth, abstract score and
   drivers, crowdedness, exotic score and top groups, then the order of
   "more abstract than the query works" and of "exotic".

    .venv/bin/python benchmarks/interns_topics.py --db /tmp/paperlists.duckdb [--sample 50]
        [--seed 2026] [--topics "learning theory" "graph neural networks" ...]

Skips cleanly (exit 0) when ../shared/data/paperlists is absent.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

from labscout.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LABSCOUT_SHARED", ROOT.parent / "shared"))
LISTS = SHARED / "data" / "paperlists"
COMPANIES = {
    "Google": ("google",),
    "Microsoft": ("microsoft",),
    "Meta": ("meta", "facebook"),
    "DeepMind": ("deepmind",),
}
TOPICS = ("learning theory", "graph neural networks", "causal inference")


def company_ids(store: Store) -> dict[str, list[str]]:
    """Company institutions whose name's first word is one of the companies' words."""
    from labscout.store.intern_reads import company_institutions

    names = company_institutions(store)
    out: dict[str, list[str]] = {}
    for group, words in COMPANIES.items():
        out[group] = [i for i, n in names.items() if n.lower().split()[0].strip(",") in words]
    return out


def interns_part(store: Store, n_sample: int, seed: int) -> None:
    from labscout.signals.interns import InternParams, classify_store_pairs
    from labscout.store.intern_reads import person_timelines

    groups = company_ids(store)
    every = sorted({i for ids in groups.values() for i in ids})
    t0 = time.perf_counter()
    likely, unconfirmed = classify_store_pairs(store, InternParams(), company_ids=every)
    print(f"## Interns ({time.perf_counter() - t0:.1f}s)\n")
    print(f"likely (host, intern) pairs: {len(likely)}; unconfirmed: {len(unconfirmed)}")
    for group, ids in groups.items():
        here = [e for e in likely if set(e.company_ids) & set(ids)]
        hosts = {e.host_id for e in here}
        print(
            f"- {group} ({len(ids)} institution ids): {len({e.intern_id for e in here})} "
            f"likely interns, {len(hosts)} hosts"
        )
    rng = random.Random(seed)
    pool = sorted(likely, key=lambda e: (e.work.work_id, e.host_id, e.intern_id))
    sample = rng.sample(pool, min(n_sample, len(pool)))
    timelines = person_timelines(store, sorted({e.intern_id for e in sample}))
    print(f"\nsample of {len(sample)} (seed {seed}):\n")
    for k, e in enumerate(sample, 1):
        tl = timelines.get(e.intern_id, [])
        years = [w.year for w in tl if w.year]
        after = [w for w in tl if (w.year or 0) > (e.work.year or 0)]
        later = sorted({i.split(":")[-1] for w in after for i in w.company_ids})
        print(
            f"{k}. {e.name} [{e.university}] first author of '{e.work.title[:70]}' "
            f"({e.work.venue} {e.work.year}); {e.prior_works} earlier works, "
            f"{len(tl)} in the store ({min(years)}-{max(years)}) | host {e.host_name} "
            f"[{e.company}] | back {e.later_work.year if e.later_work else '-'} at "
            f"{e.back_at} | later companies: {', '.join(later) or '-'}"
        )


def topics_part(store: Store, index, texts: list[str]) -> None:
    from labscout.rank.topics import TopicParams, query_works, sort_topics, topic_map

    for text in texts:
        t0 = time.perf_counter()
        seeds = query_works(index, text, 50)
        tmap = topic_map(store, index, seeds, TopicParams(), query={"text": text})
        secs = time.perf_counter() - t0
        qa = tmap.query_abstract
        print(f'\n## Topics near "{text}" ({secs:.1f}s)\n')
        print(
            f"{tmap.n_works} works clustered; reference year {tmap.reference_year}, "
            f"recent share {tmap.recent_share}; the query works' abstract score {qa.score} "
            f"(theory venues {qa.theory_venue_share:.0%}; "
            f"terms {', '.join(t for t, _ in qa.theory_terms)}; "
            f"application {', '.join(t for t, _ in qa.application_terms) or '-'})\n"
        )
        print(
            "| # | topic (distinctive terms) | works | groups | recent | growth | abstract "
            "| drivers | res./work | exotic | near | query works | top groups |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for t in tmap.topics:
            ab = t.abstract
            drivers = "; ".join(
                x
                for x in (
                    f"venues {ab.theory_venue_share:.0%}" if ab.theory_venue_share else "",
                    "+" + ", ".join(f"{w} {n}" for w, n in ab.theory_terms[:3])
                    if ab.theory_terms
                    else "",
                    "-" + ", ".join(f"{w} {n}" for w, n in ab.application_terms[:3])
                    if ab.application_terms
                    else "",
                )
                if x
            )
            groups = ", ".join(f"{g.name} {g.n_works}" for g in t.top_groups[:3])
            if t.affiliated_share < 0.9:
                groups += f" ({t.affiliated_share:.0%} of works name one)"
            print(
                f"| {t.id} | {t.name} | {t.n_works} | {t.n_groups} | {t.recent_share} | "
                f"{t.growth} | {ab.score:+.2f} | {drivers} | {t.crowdedness} | {t.exotic} | "
                f"{t.closeness} | {t.n_query_works} | {groups} |"
            )
        more = sort_topics(tmap.topics, "more-abstract")
        exotic = sort_topics(tmap.topics, "exotic")
        print(f"\nmore abstract than the query works, nearest first: {[t.id for t in more]}")
        print(f"exotic first: {[t.id for t in exotic]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="paperlists.duckdb")
    ap.add_argument("--embedder", default="minilm-static")
    ap.add_argument("--sample", type=int, default=50)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--topics", nargs="*", default=list(TOPICS))
    ap.add_argument("--no-topics", action="store_true")
    args = ap.parse_args()
    if not LISTS.is_dir():
        print(f"skipped: {LISTS} not found")
        return 0
    db = Path(args.db)
    if not db.exists():
        from labscout.ingest import paperlists

        with Store(db) as store:
            paperlists(store, [LISTS])
    with Store(db) as store:
        interns_part(store, args.sample, args.seed)
        if args.no_topics:
            return 0
        from labscout.index.build import build_index, index_state, load_index

        if index_state(store) != "fresh":
            build_index(store, embedder=args.embedder, cache=False)
        topics_part(store, load_index(store), args.topics)
    return 0


if __name__ == "__main__":
    sys.exit(main())
