"""One person across sources: precision and recall of the merge on real, labelled records.

The labelled set is built from real records where the truth is known:

- OpenAlex ``works_ml_sample.json``: every authorship whose author OpenAlex
  has identified (truth: the OpenAlex author id);
- the gold-standard Semantic Scholar papers: every name on a paper that a
  participant's S2 author record lists under a compatible name (truth: the S2
  author id).

Each authorship becomes a name-only author record of its own (as arXiv or a
conference list would give it: ``m:<work>#<n>``); the merge must find which
records are one person from the names, co-authors and works alone. The other
names on the papers stay in (unlabelled) as distractors. Reported: pairwise
precision and recall over the labelled records, for labscout's rules and, as
the baseline in the same run, for merging by name alone (same last name and
first initial). Usage: ``.venv/bin/python benchmarks/identity.py``.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

from labscout.ingest.identity import resolve_identities
from labscout.records import Author, Authorship, Work
from labscout.sources.names import name_key, names_compatible
from labscout.store import Batch, Store

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LABSCOUT_SHARED", ROOT.parent / "shared")) / "data"


def mentions() -> tuple[list[Work], dict[str, str]]:
    """Works with one author record per authorship, and the truth for the labelled ones."""
    works: list[Work] = []
    truth: dict[str, str] = {}

    def add(wid: str, title: str, year, names: list[str], labels: list[str | None]) -> None:
        ships = []
        for i, (name, label) in enumerate(zip(names, labels, strict=True)):
            mid = f"m:{wid}#{i + 1}"
            ships.append(Authorship(author_id=mid, position_index=i, raw_author_name=name))
            if label:
                truth[mid] = label
        works.append(Work(id=wid, title=title, publication_year=year, authorships=tuple(ships)))

    for w in json.loads((DATA / "openalex" / "works_ml_sample.json").read_text()):
        names, labels = [], []
        for a in w.get("authorships") or ():
            person = a.get("author") or {}
            names.append(a.get("raw_author_name") or person.get("display_name") or "")
            aid = (person.get("id") or "").rsplit("/", 1)[-1]
            labels.append(f"openalex:{aid}" if aid else None)
        add(
            "oa:" + w["id"].rsplit("/", 1)[-1],
            w.get("title") or "",
            w.get("publication_year"),
            names,
            labels,
        )
    gold = DATA / "goldstandard"
    listed: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for f in sorted((gold / "participants").glob("*.json")):
        d = json.loads(f.read_text())
        for p in d["papers"]:
            listed[p["paperId"]].append((d["authorId"], d["name"]))
    for f in sorted((gold / "papers").glob("*.json")):
        d = json.loads(f.read_text())
        names = [n for n in d.get("authors") or [] if isinstance(n, str)]
        labels: list[str | None] = [None] * len(names)
        for aid, pname in listed.get(d["ssId"], ()):
            for i, n in enumerate(names):
                if labels[i] is None and names_compatible(n, pname):
                    labels[i] = f"s2:{aid}"
                    break
        add("s2:" + d["ssId"], d.get("title") or "", d.get("year"), names, labels)
    return works, truth


def pairwise(clusters: dict[str, str], truth: dict[str, str]) -> tuple[float, float, int, int]:
    labelled = sorted(truth)
    same_pred = same_true = both = 0
    by_pred: dict[str, list[str]] = defaultdict(list)
    for m in labelled:
        by_pred[clusters.get(m, m)].append(m)
    for group in by_pred.values():
        for a, b in itertools.combinations(group, 2):
            same_pred += 1
            both += truth[a] == truth[b]
    by_true: dict[str, int] = defaultdict(int)
    for m in labelled:
        by_true[truth[m]] += 1
    same_true = sum(n * (n - 1) // 2 for n in by_true.values())
    precision = both / same_pred if same_pred else 1.0
    recall = both / same_true if same_true else 1.0
    return precision, recall, same_pred, same_true


def main() -> int:
    if not (DATA / "openalex").is_dir() or not (DATA / "goldstandard").is_dir():
        print(f"skipped: shared data not found at {DATA}")
        return 0
    works, truth = mentions()
    store = Store(":memory:")
    authors = [
        Author(id=a.author_id, display_name=a.raw_author_name or "", source="bench")
        for w in works
        for a in w.authorships
    ]
    store.write(Batch(works=works, authors=authors))
    n_mentions = len(authors)
    t = time.perf_counter()
    report = resolve_identities(store)
    elapsed = time.perf_counter() - t
    ours = dict(store.con.execute("SELECT author_id, person_id FROM author_person").fetchall())
    p, r, npred, ntrue = pairwise(ours, truth)
    # baseline: the name alone (same last name + first initial)
    base = {a.id: name_key(a.display_name) for a in authors}
    bp, br, bpred, _ = pairwise(base, truth)
    homonyms = 0
    by_key: dict[str, set[str]] = defaultdict(set)
    for m, label in truth.items():
        by_key[base[m]].add(label)
    homonyms = sum(1 for labels in by_key.values() if len(labels) > 1)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    bf1 = 2 * bp * br / (bp + br) if bp + br else 0.0
    print(
        f"labelled records: {len(truth):,} of {n_mentions:,} name-only author records "
        f"({len(set(truth.values())):,} true persons; {homonyms} name keys shared by "
        f"2+ true persons); {ntrue:,} true same-person pairs"
    )
    print(
        f"labscout rules:   precision {p:.4f}  recall {r:.3f}  F1 {f1:.3f}  "
        f"({npred:,} pairs merged; links {report.linked}) in {elapsed:.1f}s"
    )
    print(
        f"name alone:       precision {bp:.4f}  recall {br:.3f}  F1 {bf1:.3f}  "
        f"({bpred:,} pairs merged)"
    )
    print(f"ratio vs name alone: precision x{p / bp:.3f}, recall x{r / br:.3f}")
    # the hard part: records whose name key is shared by two or more true persons
    hard_keys = {k for k, labels in by_key.items() if len(labels) > 1}
    hard = {m: t for m, t in truth.items() if base[m] in hard_keys}
    hp, hr, hpred, htrue = pairwise(ours, hard)
    hbp, hbr, hbpred, _ = pairwise(base, hard)
    print(
        f"homonym subset ({len(hard):,} records, {len(set(hard.values()))} persons, "
        f"{htrue:,} true pairs): labscout precision {hp:.4f} recall {hr:.3f}; "
        f"name alone precision {hbp:.4f} recall {hbr:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
