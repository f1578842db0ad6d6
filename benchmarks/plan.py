"""How long `labscout plan` takes on the paper lists, cold and warm, and what it says.

Uses a store built from ``../shared/data/paperlists`` (``--db``; built here when
the file does not exist, ~15 s) and its search index (built with ``--embedder``,
default ``minilm-static``, when missing or stale, ~7 min on 2 shared cores).
One ``Labscout`` answers the same plan ``--runs`` times: the first call loads
the index, the embedder and the co-author graph; the others are warm (as the web
app's ``/plan`` is after its first request). Prints each time, then the plan as
Markdown, and writes the HTML export beside ``--html`` when given.

    .venv/bin/python benchmarks/plan.py --db /tmp/paperlists.duckdb \\
        --text "abstract learning theory for NLP" --from "University of Edinburgh" \\
        --know "Mirella Lapata" [--runs 4] [--html plan.html]

Skips cleanly (exit 0) when ../shared/data/paperlists is absent.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LABSCOUT_SHARED", ROOT.parent / "shared"))
LISTS = SHARED / "data" / "paperlists"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="paperlists.duckdb")
    ap.add_argument("--embedder", default="minilm-static")
    ap.add_argument("--text", default="abstract learning theory for NLP")
    ap.add_argument("--from", dest="from_", default="University of Edinburgh")
    ap.add_argument("--know", action="append", default=None)
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--html", default=None)
    args = ap.parse_args()
    if not LISTS.is_dir():
        print(f"skipped: {LISTS} not found")
        return 0
    from labscout import Labscout, Query
    from labscout.store import Store

    db = Path(args.db)
    with Store(db) as store:
        if not db.exists() or not store.counts().get("works"):
            from labscout.ingest import paperlists

            paperlists(store, [LISTS])
        from labscout.index.build import build_index, index_state

        if index_state(store) != "fresh":
            build_index(store, embedder=args.embedder, cache=False)
    know = tuple(args.know or ["Mirella Lapata"])
    query = Query(text=args.text, from_institution=args.from_, reach_from=know)
    from labscout.planning.export import to_html, to_markdown

    with Labscout(db) as ls:
        plan = None
        for i in range(args.runs):
            t0 = time.perf_counter()
            plan = ls.plan(query)
            kind = "cold (loads index, embedder, graph)" if i == 0 else "warm"
            print(f"run {i + 1}: {time.perf_counter() - t0:.2f} s {kind}", flush=True)
        assert plan is not None
        print()
        print(to_markdown(plan))
        if args.html:
            Path(args.html).write_text(to_html(plan), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
