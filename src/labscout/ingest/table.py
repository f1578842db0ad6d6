"""Any table of papers (CSV, TSV, JSON Lines) into the store, through a column mapping."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from labscout.errors import InputError
from labscout.ingest.matching import matched
from labscout.ingest.paperlists import PaperListReport, collect_dropped, finish_report
from labscout.ingest.pipeline import Checkpoint, run_ingest
from labscout.progress import Progress
from labscout.records import Rejected
from labscout.sources.paperlists import Dropped
from labscout.sources.table import SOURCE, iter_table, parse_mapping
from labscout.store import Store

CHECKPOINT_EVERY = 500  # papers between resume points


def _key(path: Path, mapping: dict[str, str], author_sep: str) -> str:
    st = path.stat()
    how = hashlib.sha1(json.dumps([sorted(mapping.items()), author_sep]).encode()).hexdigest()[:10]
    return f"{path.resolve()}|{st.st_size}|{how}"


def _items(
    store: Store,
    path: Path,
    mapping: dict[str, str],
    author_sep: str,
    force: bool,
    skipped: list[str],
) -> Iterator[Any]:
    key = _key(path, mapping, author_sep)
    state = store.get_progress(SOURCE, key)
    if state and state[1] and not force:
        skipped.append(str(path))
        return
    skip = int(state[0] or 0) if state and not force else 0
    last = skip
    n = 0
    for item in iter_table(path, mapping, author_sep, skip_to_line=skip):
        if isinstance(item, Rejected):
            yield item
            continue
        last = item[0]
        if len(item) == 3:
            yield item[2]
        yield item[1]
        n += 1
        if n % CHECKPOINT_EVERY == 0:
            yield Checkpoint(SOURCE, key, str(last))
    yield Checkpoint(SOURCE, key, str(last), done=True)


def table(
    store: Store,
    path: str | Path,
    mapping: str | dict[str, str],
    *,
    author_sep: str = ";",
    force: bool = False,
    match: bool = True,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> PaperListReport:
    """Ingest a table of papers: ``.csv``/``.tsv``/``.jsonl`` (optionally ``.gz``).

    ``mapping`` names the file's columns for ``title`` and ``authors``
    (required) and ``abstract``, ``year``, ``venue``, ``doi``,
    ``affiliations``, ``id`` (optional), as a dict or as
    ``"title=Title,authors=Authors"``. Authors in a cell are split on
    ``author_sep``. Raises :class:`InputError` naming mapped columns the file
    lacks, before anything is written. Rows without a title or authors are
    rejected (counted with their line); affiliations that do not line up with
    the authors are left out (counted as ``dropped``). The same file with the
    same mapping is skipped once finished, unless ``force``. With ``match``, a
    paper the store already holds from another source is merged into it.
    """
    fields = parse_mapping(mapping)
    p = Path(path)
    if not p.is_file():
        raise InputError(f"no such file: {p}")
    # read the header first, so a wrong mapping fails before a run is recorded
    rows = iter_table(p, fields, author_sep)
    next(rows, None)
    rows.close()
    skipped: list[str] = []
    dropped: list[Dropped] = []
    items = _items(store, p, fields, author_sep, force, skipped)
    if match:
        items = matched(store, items, SOURCE)
    report = run_ingest(
        store,
        SOURCE,
        {
            "path": str(p),
            "mapping": fields,
            "author_sep": author_sep,
            "force": force,
            "match": match,
        },
        collect_dropped(items, dropped),
        batch_size=batch_size,
        progress=progress,
    )
    return finish_report(store, report, dropped, skipped, SOURCE)
