"""The demo: a store from the OpenAlex corpus bundled with the package, and a first answer."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from labscout.errors import StoreError
from labscout.index.build import build_index
from labscout.ingest import openalex_files
from labscout.progress import Progress
from labscout.query import Query
from labscout.rank.find import find
from labscout.sources.jsonfiles import iter_json_records
from labscout.sources.openalex import short_id
from labscout.store import Store

DEMO_FILE = "demo_works.jsonl.gz"
DEMO_QUERY = "graph neural networks"


def demo_corpus_path() -> Path:
    """Path of the bundled demo corpus (195 real OpenAlex works on machine learning, CC0)."""
    return Path(str(resources.files("labscout.data").joinpath(DEMO_FILE)))


def run_demo(store: Store, progress: Progress | None = None) -> Iterator[str]:
    """Ingest the demo corpus into ``store``, index it, and yield the lines of a first
    ``find`` answer (the index goes beside the store file).

    Raises :class:`StoreError` when ``store`` holds works besides the demo's: the demo
    never pours its works into a real store."""
    demo_ids = [
        short_id(item[1].get("id")) or ""
        for item in iter_json_records(demo_corpus_path())
        if isinstance(item, tuple) and isinstance(item[1], dict)
    ]
    others = store.count_works_except(demo_ids)
    if others:
        raise StoreError(
            f"{store.path} already holds {others:,} works besides the demo's",
            hint="The demo builds a store of its own: pass a new path with --db "
            "(default labscout-demo.duckdb).",
        )
    report = openalex_files(store, [demo_corpus_path()], force=True, progress=progress)
    yield report.summary()
    index = build_index(store, progress=progress)
    yield index.summary()
    yield ""
    result = find(store, Query(text=DEMO_QUERY, top=5))
    yield f'labscout find "{DEMO_QUERY}" --top 5 ({result.seconds:.2f}s):'
    for m in result.matches:
        where = m.institution or "institution unknown"
        yield f"  {m.rank}. {m.name} ({where})  score {m.score:.3f}"
        if m.evidence:
            e = m.evidence[0]
            yield f"     {e.work.title} ({e.work.year}, {e.position} author)"
    yield ""
    yield f'Try: labscout --db {store.path} find "language models"'
