"""The ladder checked against the world: the top 20 for "machine learning" on real works,
and its overlap with an independent ranking of ML institutions.

Store: the paper lists corpus (``../shared/data/paperlists``, 53,637 real papers of
23 venues, ingested with ``labscout.ingest.paperlists`` and indexed with
``--embedder``), or ``--db`` an existing indexed store. Without the paper
lists it falls back to the OpenAlex sample (195 works: too small to say much).

Independent ranking: ``../shared/data/ml-venues/icml_neurips_iclr_authors.csv``
(NeurIPS 2006-2018, ICML 2017-2019, ICLR 2018-2019, each author's affiliation
at the time of the paper), institutions ranked by the number of distinct
papers with an author there. It is another dataset with its own affiliation
strings, but not a disjoint one: the same conferences are among the paper
lists' 23 venues, so the overlap is an agreement check, not a blind test.

Both sides' names go through one normaliser (:func:`canonical`: accents,
case, punctuation and parentheses dropped, and a short alias table for the
usual variants: CMU, MIT, UC Berkeley, Google Brain/Research, Microsoft
Research, Facebook/Meta, ...); ladder institutions that normalise to one name
are merged (their topic strengths added).

Figures printed: overlap@20 and @50 of the ladder with the independent top
lists; baselines computed in the same run: the store's institutions by field
prestige alone (no topic), and the overlap a random pick of 20 of the ladder's
institutions would have on average; the ratios of the ladder to each; the
ladder's time against one ``find`` on the same store.

    .venv/bin/python benchmarks/ladder.py [--db STORE] [--topic "machine learning"]
        [--embedder minilm-static] [--keep DIR]

Skips cleanly (exit 0) when ../shared/data is absent.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LABSCOUT_SHARED", ROOT.parent / "shared"))
DATA = SHARED / "data"
LISTS = DATA / "paperlists"
VENUES_CSV = DATA / "ml-venues" / "icml_neurips_iclr_authors.csv"
SAMPLE = DATA / "openalex" / "works_ml_sample.json"

ALIASES = [
    (r"\bdeepmind\b", "deepmind"),
    (r"^google\b", "google"),
    (r"^(facebook|meta)\b|^fair$", "meta"),
    (r"^microsoft\b", "microsoft"),
    (r"^ibm\b", "ibm"),
    (r"^amazon\b", "amazon"),
    (r"^nvidia\b", "nvidia"),
    (r"^baidu\b", "baidu"),
    (r"^alibaba\b", "alibaba"),
    (r"^tencent\b", "tencent"),
    (r"^huawei\b", "huawei"),
    (r"^(mit|massachusetts institute of technology)$", "mit"),
    (r"^(cmu|carnegie mellon( university)?)$", "carnegie mellon university"),
    (r"^(uc berkeley|berkeley|university of california,? ?(at )?berkeley)$", "uc berkeley"),
    (r"^(ucla|university of california,? ?(at )?los angeles)$", "ucla"),
    (r"^(ucsd|uc san diego|university of california,? ?(at )?san diego)$", "ucsd"),
    (r"^stanford( university)?$", "stanford university"),
    (r"^(epfl|.*polytechnique f.d.ra.* de lausanne.*|epfl university)$", "epfl"),
    (r"^(eth zurich|eth zuerich|ethz|eth|swiss federal institute of technology zurich)$", "eth"),
    (r"^(georgia tech|georgia institute of technology)$", "georgia tech"),
    (r"^technion\b.*", "technion"),
    (r"^(nyu|new york university)$", "nyu"),
    (r"^(university of oxford|oxford university|oxford)$", "oxford"),
    (r"^(university of cambridge|cambridge university|cambridge)$", "cambridge"),
    (r"^(ucl|university college london)$", "ucl"),
    (r"^inria\b.*", "inria"),
    (r"^(tsinghua|tsinghua university)$", "tsinghua university"),
    (r"^(pku|peking university)$", "peking university"),
    (r"^(princeton|princeton university)$", "princeton university"),
    (r"^(harvard|harvard university)$", "harvard university"),
    (r"^(duke|duke university)$", "duke university"),
    (r"^(cornell|cornell university)$", "cornell university"),
    (r"^(uw|university of washington)$", "university of washington"),
    (r"^(ut austin|university of texas at austin|the university of texas at austin)$", "ut austin"),
    (r"^(uiuc|university of illinois at urbana.?champaign|university of illinois)$", "uiuc"),
    (r"^openai\b", "openai"),
]
_ALIASES = [(re.compile(p), name) for p, name in ALIASES]


def canonical(name: str | None) -> str | None:
    """One spelling per institution (used on both sides of the comparison)."""
    if not name:
        return None
    t = unicodedata.normalize("NFKD", name)
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    t = re.sub(r"\([^)]*\)", " ", t).replace("&", " and ")
    t = re.sub(r"[^0-9a-z,]+", " ", t)
    t = " ".join(t.replace(" ,", ",").split()).strip(" ,")
    t = re.sub(r"^the ", "", t)
    if t in ("", "none", "n a", "na"):
        return None
    for pattern, alias in _ALIASES:
        if pattern.search(t):
            return alias
    return t.replace(",", "")


def independent_ranking() -> list[tuple[str, int]]:
    """(canonical institution, distinct papers) from the ML venues CSV, most papers first."""
    papers: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    with VENUES_CSV.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = canonical(row.get("Affiliation"))
            if name:
                papers[name].add((row["Conference"], row["Year"], row["Title"]))
    return sorted(((k, len(v)) for k, v in papers.items()), key=lambda kv: (-kv[1], kv[0]))


def merged(rows: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Rows (name, score) merged by canonical name, best first."""
    out: dict[str, float] = defaultdict(float)
    for name, score in rows:
        key = canonical(name)
        if key:
            out[key] += score
    return sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))


def overlap(a: list[str], b: list[str], k: int) -> int:
    return len(set(a[:k]) & set(b[:k]))


def build_store(db: Path, embedder: str):
    from labscout.index.build import build_index
    from labscout.store import Store

    store = Store(db)
    t0 = time.perf_counter()
    if LISTS.is_dir():
        from labscout.ingest import paperlists

        report = paperlists(store, [LISTS])
        source = "paper lists (../shared/data/paperlists)"
    else:
        from labscout.ingest import openalex_files

        report = openalex_files(store, [SAMPLE], force=True)
        source = "OpenAlex sample (195 works; no paper lists found)"
    print(f"ingest: {report.summary().splitlines()[0]} ({time.perf_counter() - t0:.0f}s)")
    t0 = time.perf_counter()
    build_index(store, embedder=embedder)
    print(f"index ({embedder}): {time.perf_counter() - t0:.0f}s")
    return store, source


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="an existing store with its index (else one is built)")
    ap.add_argument("--topic", default="machine learning")
    ap.add_argument("--embedder", default="minilm-static")
    ap.add_argument("--keep", help="build the store in this folder and keep it")
    ap.add_argument("--top", type=int, default=20)
    args = ap.parse_args()
    if not VENUES_CSV.is_file() or not (LISTS.is_dir() or SAMPLE.is_file()):
        print(f"skipped: {VENUES_CSV} or the works to rank not found")
        return 0
    from labscout.query import Query
    from labscout.rank.ladder import ladder
    from labscout.rank.tiers import field_prestige
    from labscout.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            store, source = Store(args.db, read_only=True), f"--db {args.db}"
        else:
            folder = Path(args.keep or tmp)
            folder.mkdir(parents=True, exist_ok=True)
            db = folder / "ladder.duckdb"
            if db.exists():
                db.unlink()
            store, source = build_store(db, args.embedder)
        counts = store.counts()
        print(
            f"store: {source}: {counts['works']:,} works, {counts['institutions']:,} institutions"
        )

        ladder(store, Query(text=args.topic, top=5))  # warm: model and index loaded once
        t0 = time.perf_counter()
        result = ladder(store, Query(text=args.topic, top=100_000))
        seconds = time.perf_counter() - t0
        from labscout.rank.find import find

        t0 = time.perf_counter()
        find(store, Query(text=args.topic, top=10))
        find_seconds = time.perf_counter() - t0
        t = result.tiering
        print(
            f'\nlabscout ladder "{args.topic}": {len(result.institutions)} institutions, '
            f"{result.n_researchers:,} researchers, {seconds:.2f}s; tiers by {t.method}, "
            f"per tier {t.counts}"
        )
        print(
            f"time: ladder {seconds:.2f}s vs find (top 10, same store) {find_seconds:.2f}s "
            f"= {seconds / find_seconds:.1f}x"
        )
        print("\n| # | institution | country | type | topic strength | tier | field tier |")
        print("|---|---|---|---|---|---|---|")
        for r in result.institutions[: args.top]:
            print(
                f"| {r.rank} | {r.name} | {r.country_code or ''} | {r.type or ''} | "
                f"{r.score:.3f} | {r.tier} | {r.prestige.tier} |"
            )
        if result.hidden_gems:
            print("\nhidden gems:")
            for g in result.hidden_gems[:5]:
                print(f"- {g.name}: {g.reason}")

        ours = [n for n, _ in merged([(r.name, r.score) for r in result.institutions])]
        ref = [n for n, _ in independent_ranking()]
        fp = field_prestige(store)
        names = dict(store.con.execute("SELECT id, display_name FROM institutions").fetchall())
        prestige_rows = [(names.get(i, i), p.value) for i, p in fp.by_institution.items()]
        prestige = [n for n, _ in merged(prestige_rows)]
        store.close()

    print(f"\nindependent ranking: {len(ref):,} institutions from {VENUES_CSV.name}; top 20:")
    print(", ".join(ref[:20]))
    print("\n| list | overlap@20 with independent top 20 | overlap@50 |")
    print("|---|---|---|")
    o20, o50 = overlap(ours, ref, 20), overlap(ours, ref, 50)
    p20, p50 = overlap(prestige, ref, 20), overlap(prestige, ref, 50)
    n = max(len(ours), 1)
    chance20, chance50 = 20 * min(20, n) / n, 50 * min(50, n) / n
    print(f"| ladder (topic: {args.topic}) | {o20}/20 | {o50}/50 |")
    print(f"| baseline: field prestige alone (no topic) | {p20}/20 | {p50}/50 |")
    print(
        f"| baseline: 20 (50) of the ladder's {n:,} at random | {chance20:.2f} | {chance50:.2f} |"
    )
    print(
        f"\nratio ladder / random: {o20 / chance20:.1f}x at 20, {o50 / chance50:.1f}x at 50; "
        f"ladder / field prestige: {o20 / max(p20, 1):.2f}x at 20, {o50 / max(p50, 1):.2f}x at 50"
    )
    print(
        "in both ladder and independent top 20:", ", ".join(sorted(set(ours[:20]) & set(ref[:20])))
    )
    print("ladder top 20 only:", ", ".join(x for x in ours[:20] if x not in set(ref[:20])))
    print("independent top 20 only:", ", ".join(x for x in ref[:20] if x not in set(ours[:20])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
