"""arXiv into the store: an OAI-PMH harvest, or the Kaggle snapshot file.

Both go through :func:`labscout.ingest.matching.matched`, so a paper the store
already holds (from OpenAlex by DOI ``10.48550/arxiv.<id>`` or the journal
DOI, from DBLP or Semantic Scholar by arXiv id or title and year) stays one
work that gains the ``arxiv`` id and, where it had none, the abstract.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from labscout.errors import ConfigError, InputError
from labscout.ingest.matching import matched
from labscout.ingest.pipeline import Checkpoint, IngestReport, run_ingest
from labscout.progress import Progress
from labscout.records import Rejected
from labscout.sources.arxiv import FORMATS, OaiClient, parse_oai_page, parse_snapshot_line
from labscout.sources.jsonfiles import iter_json_records
from labscout.store import Store

SOURCE_OAI = "arxiv-oai"
SOURCE_SNAPSHOT = "arxiv-snapshot"
CHECKPOINT_EVERY = 1000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _oai_items(
    client: OaiClient, key: str, state: dict[str, Any], first: dict[str, str], report: dict
) -> Iterator:
    location = client.base_url
    while True:
        if state["token"]:
            params = {"verb": "ListRecords", "resumptionToken": state["token"]}
        elif state["pages"] == 0:
            params = first
        else:
            break
        page = parse_oai_page(client.get(params), location)
        if page.error_code == "noRecordsMatch":
            report["message"] = f"no records match: {page.error_message or ''}".strip()
            break
        if page.error_code == "badResumptionToken":
            raise InputError(
                f"the OAI-PMH server refused the resumption token {state['token']!r} "
                f"({page.error_message or 'expired or unknown'}) after {state['read']:,} records",
                hint="Tokens expire after a while: rerun with --force to harvest again from the "
                "start (records already stored are kept and updated, not doubled).",
            )
        if page.error_code:
            raise ConfigError(
                f"the OAI-PMH server answered {page.error_code}: {page.error_message}",
                hint="Check --set, --from/--until (YYYY-MM-DD) and --format (arXivRaw or arXiv).",
            )
        for n, item in enumerate(page.records, start=state["read"] + 1):
            if isinstance(item, Rejected):
                yield Rejected(f"{location} page {state['pages'] + 1}", n, item.reason)
            else:
                yield item
        state["read"] += len(page.records)
        state["pages"] += 1
        state["token"] = page.token
        if page.complete_size:
            state["total"] = page.complete_size
        yield Checkpoint(SOURCE_OAI, key, orjson.dumps(state).decode(), done=not page.token)
        if not page.token:
            break


def arxiv_oai(
    store: Store,
    *,
    set: str | None = "cs",
    from_date: str | None = None,
    until: str | None = None,
    metadata_prefix: str = "arXivRaw",
    base_url: str = "https://oaipmh.arxiv.org/oai",
    delay: float = 3.0,
    retries: int = 5,
    force: bool = False,
    match: bool = True,
    client: OaiClient | None = None,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> IngestReport:
    """Harvest arXiv's OAI-PMH ``ListRecords`` for ``set`` from ``from_date`` on.

    Pages follow the ``resumptionToken``; ``delay`` seconds pass between calls
    and a ``503`` with ``Retry-After`` is waited out. The token is saved with
    each page's records, so running the same harvest again resumes; a finished
    harvest is skipped unless ``force``.
    """
    if metadata_prefix not in FORMATS:
        raise ConfigError(
            f"unknown metadata format {metadata_prefix!r}", hint="Use arXivRaw or arXiv."
        )
    for flag, value in (("--from", from_date), ("--until", until)):
        if value is not None and not _DATE.match(value):
            raise ConfigError(
                f"{flag} {value!r} is not a date", hint="Use YYYY-MM-DD, e.g. --from 2024-01-01."
            )
    first = {"verb": "ListRecords", "metadataPrefix": metadata_prefix}
    if set:
        first["set"] = set
    if from_date:
        first["from"] = from_date
    if until:
        first["until"] = until
    parameters = {k: v for k, v in first.items() if k != "verb"} | {"base_url": base_url}
    key = orjson.dumps(parameters, option=orjson.OPT_SORT_KEYS).decode()
    saved = store.get_progress(SOURCE_OAI, key)
    if saved and saved[1] and not force:
        report = run_ingest(store, SOURCE_OAI, {**parameters, "skipped": True}, ())
        report.skipped = [f"harvest {key} (finished earlier; --force to harvest again)"]
        return report
    state: dict[str, Any] = {"token": None, "read": 0, "pages": 0}
    if saved and saved[0] and not force:
        state.update(orjson.loads(saved[0]))
    own = client is None
    client = client or OaiClient(base_url, delay=delay, retries=retries)
    extra: dict[str, Any] = {}
    items = _oai_items(client, key, state, first, extra)
    if match:
        items = matched(store, items, "arxiv")
    try:
        report = run_ingest(
            store,
            SOURCE_OAI,
            {**parameters, "resumed_from": state["read"] or None},
            items,
            batch_size=batch_size,
            progress=progress,
        )
    finally:
        if own:
            client.close()
    if extra.get("message"):
        report.message = extra["message"]
    return report


def _snapshot_items(store: Store, path: Path, force: bool, skipped: list[str]) -> Iterator:
    key = str(path.resolve())
    state = store.get_progress(SOURCE_SNAPSHOT, key)
    if state and state[1] and not force:
        skipped.append(str(path))
        return
    skip = int(state[0] or 0) if state and not force else 0
    position = skip
    for item in iter_json_records(path, skip):
        if isinstance(item, Rejected):
            if item.reason.startswith(("file ends early", "unreadable file")):
                yield Checkpoint(SOURCE_SNAPSHOT, key, str(position))
                raise InputError(
                    f"{path}: {item.reason}; the {position:,} lines before it are kept",
                    hint="Fetch the file again and rerun the same command: it resumes there.",
                )
            yield item
            continue
        position, d = item
        yield parse_snapshot_line(d, str(path), position)
        if position % CHECKPOINT_EVERY == 0:
            yield Checkpoint(SOURCE_SNAPSHOT, key, str(position))
    yield Checkpoint(SOURCE_SNAPSHOT, key, str(position), done=True)


def arxiv_snapshot(
    store: Store,
    path: str | Path,
    *,
    force: bool = False,
    match: bool = True,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest the Kaggle ``arxiv-metadata-oai-snapshot.json`` (JSON Lines, gzipped or not).

    A line of the wrong shape is rejected with its line number; a file cut in
    the middle keeps the lines before the cut, raises
    :class:`~labscout.errors.InputError`, and resumes there when run again.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(
            f"no such file: {p}", hint="Pass arxiv-metadata-oai-snapshot.json (Kaggle)."
        )
    skipped: list[str] = []
    items = _snapshot_items(store, p, force, skipped)
    if match:
        items = matched(store, items, "arxiv")
    report = run_ingest(
        store,
        SOURCE_SNAPSHOT,
        {"path": str(p), "force": force, "match": match},
        items,
        batch_size=batch_size,
        progress=progress,
    )
    report.skipped = skipped
    return report
