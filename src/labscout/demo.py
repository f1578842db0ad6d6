"""The demo: a store from the OpenAlex corpus bundled with the package, and a first answer."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from labscout.ingest import openalex_files
from labscout.progress import Progress
from labscout.store import Store

DEMO_FILE = "demo_works.jsonl.gz"


def demo_corpus_path() -> Path:
    """Path of the bundled demo corpus (195 real OpenAlex works on machine learning, CC0)."""
    return Path(str(resources.files("labscout.data").joinpath(DEMO_FILE)))


def run_demo(store: Store, progress: Progress | None = None) -> Iterator[str]:
    """Ingest the demo corpus into ``store`` and yield the lines of a first answer."""
    report = openalex_files(store, [demo_corpus_path()], force=True, progress=progress)
    yield report.summary()
    yield ""
    yield "Most productive researchers in the demo corpus (works, their institution then):"
    rows = store.con.execute(
        """
        SELECT a.display_name, count(*) AS n,
               any_value(i.display_name) AS inst
        FROM authorships s
        JOIN authors a ON a.id = s.author_id
        LEFT JOIN institutions i ON i.id = s.institution_ids[1]
        GROUP BY a.id, a.display_name ORDER BY n DESC, a.display_name LIMIT 5
        """
    ).fetchall()
    for name, n, inst in rows:
        yield f"  {name:<30} {n} works  {inst or ''}"
