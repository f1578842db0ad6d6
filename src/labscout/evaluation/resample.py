"""Bigger corpora made from real records: new ids, same texts and structure.

Used by tests (the resume test needs a file that takes a while) and by the
benchmarks (ingest at 100k works). Each copy of a record gets fresh work,
author and institution ids so that copies do not collapse on upsert, and a
shifted year so that recency-aware code sees a spread.
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson


def _suffix_ids(obj: Any, suffix: str) -> Any:
    """Append ``suffix`` to every OpenAlex URL id (W..., A..., I...) inside ``obj``."""
    if isinstance(obj, dict):
        return {k: _suffix_ids(v, suffix) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_suffix_ids(v, suffix) for v in obj]
    if isinstance(obj, str) and obj.startswith("https://openalex.org/") and obj[21:22] in "WAI":
        return obj + suffix
    return obj


def resample_openalex_works(
    works: list[dict[str, Any]], n: int, seed: int = 0
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` works: copy ``k`` of each real work has ids ending in ``9000k``."""
    rng = random.Random(seed)
    for i in range(n):
        base, k = works[i % len(works)], i // len(works)
        if k == 0:
            yield base
            continue
        w = _suffix_ids(base, f"9000{k}")
        if w.get("doi"):
            w["doi"] = f"{w['doi']}.copy{k}"
        if isinstance(w.get("publication_year"), int):
            w["publication_year"] = w["publication_year"] - rng.randint(0, 8)
        if w.get("authorships"):
            rng.shuffle(w["authorships"])
        yield w


def write_jsonl(records: Iterator[dict[str, Any]], path: Path) -> int:
    """Write records as JSON Lines (gzipped when ``path`` ends with .gz); return the count."""
    n = 0
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as fh:
        for r in records:
            fh.write(orjson.dumps(r) + b"\n")
            n += 1
    return n
