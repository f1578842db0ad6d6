"""Write OpenAlex work objects as a snapshot layout (for benchmarks/scale.py and the tests).

Not part of the package: labscout only reads snapshots. Import it with
``benchmarks/`` on ``sys.path`` (scripts run from there have it).
"""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import orjson

from labscout.ingest.snapshot import Partition


def _relative(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def write_snapshot(
    works: Iterable[dict],
    root: str | Path,
    *,
    per_partition: int = 10_000,
    dates: Sequence[str] = ("2024-01-01", "2025-01-01"),
    merged_works: Sequence[tuple[str, str]] = (),
) -> list[Partition]:
    """Write OpenAlex work objects as a snapshot layout under ``root`` (benchmarks, tests).

    ``per_partition`` works a ``part_NNN.gz``, the partitions spread over the
    ``updated_date=`` folders in ``dates``; a manifest like OpenAlex's;
    ``merged_works`` (old id, new id) as ``data/merged_ids/works/<date>.csv.gz``.
    """
    root = Path(root)
    base = root / "data" / "works"
    parts: list[Partition] = []
    it = iter(works)
    while chunk := list(itertools.islice(it, per_partition)):
        folder = base / f"updated_date={dates[len(parts) % len(dates)]}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"part_{len(parts):03d}.gz"
        with gzip.open(path, "wb", compresslevel=1) as fh:
            fh.write(b"".join(orjson.dumps(w) + b"\n" for w in chunk))
        parts.append(Partition(path, _relative(root, path), len(chunk)))
    parts.sort(key=lambda p: p.key)
    entries = [
        {
            "url": f"s3://openalex/{p.key}",
            "meta": {"content_length": p.path.stat().st_size, "record_count": p.record_count},
        }
        for p in parts
    ]
    total = sum(p.record_count or 0 for p in parts)
    meta = {"content_length": sum(e["meta"]["content_length"] for e in entries)}
    (base / "manifest").write_text(
        json.dumps({"entries": entries, "meta": {**meta, "record_count": total}}, indent=1)
    )
    if merged_works:
        folder = root / "data" / "merged_ids" / "works"
        folder.mkdir(parents=True, exist_ok=True)
        with gzip.open(folder / f"{dates[-1]}.csv.gz", "wt", encoding="utf-8", newline="") as out:
            out.write("merge_date,id,merged_into_id\n")
            for old, new in merged_works:
                out.write(f"{dates[-1]},{old},{new}\n")
    return parts
