"""arXiv into the store: an OAI-PMH harvest, or the Kaggle snapshot file.

Both go through :func:`labscout.ingest.merging.matched`, so a paper the store
already holds (from OpenAlex by DOI ``10.48550/arxiv.<id>`` or the journal
DOI, from DBLP or Semantic Scholar by arXiv id or title and year) stays one
work that gains the ``arxiv`` id and, where it had none, the abstract.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Unpack

from labscout.errors import ConfigError, InputError, NetworkError
from labscout.ingest.pipeline import ingest
from labscout.ingest.report import IngestReport
from labscout.ingest.source import BaseSource, IngestOptions, Input, Item, Read, Resume, one_path
from labscout.progress import Progress
from labscout.records import Rejected
from labscout.sources.arxiv import FORMATS, OaiClient, parse_oai_page, parse_snapshot_line
from labscout.sources.guard import parsed as guarded
from labscout.sources.jsonfiles import iter_json_records
from labscout.store import Store

SOURCE_OAI = "arxiv-oai"
SOURCE_SNAPSHOT = "arxiv-snapshot"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ArxivOai(BaseSource):
    """An OAI-PMH ``ListRecords`` harvest (a :class:`Source`), resumed by its token."""

    name = SOURCE_OAI
    match_source = "arxiv"
    checkpoint_every = None
    by_line = False

    def __init__(
        self, client: OaiClient, first: dict[str, str], base_url: str, match: bool = True
    ) -> None:
        super().__init__(match)
        self.client = client
        self.first = first
        self.base_url = base_url
        self.message: str | None = None

    def parameters(self) -> dict[str, Any]:
        return {k: v for k, v in self.first.items() if k != "verb"} | {"base_url": self.base_url}

    def inputs(self, paths: Sequence[str | Path]) -> list[Input]:
        return [Input.query("harvest", self.parameters(), "harvest again")]

    def _page(self, state: dict[str, Any]):
        """The next page, or None at the end."""
        if state["token"]:
            params = {"verb": "ListRecords", "resumptionToken": state["token"]}
        elif state["pages"] == 0:
            params = self.first
        else:
            return None
        try:
            page = parse_oai_page(self.client.get(params), self.client.base_url)
        except ValueError as exc:  # a captive portal, a proxy's page, an empty body
            raise NetworkError(
                f"{self.client.base_url} did not answer with an OAI-PMH page ({exc})",
                hint="Check the network (a login page or proxy?) and run the same command "
                "again: it resumes from the saved resumption token.",
            ) from None
        if page.error_code == "noRecordsMatch":
            self.message = f"no records match: {page.error_message or ''}".strip()
            return None
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
        return page

    def read(self, store: Store, input: Input, state: dict[str, Any]) -> Read:
        state = {"token": None, "read": 0, "pages": 0, **state}
        seen: set[str] = {state["token"]} if state["token"] else set()
        while page := self._page(state):
            if page.token and page.token in seen:
                raise NetworkError(
                    f"the OAI-PMH server at {self.client.base_url} repeated the resumption "
                    f"token {page.token[:80]!r} (a loop): stopped after {state['read']:,} records",
                    hint="The server is misbehaving; try again later (the run resumes from the "
                    "last good token), or rerun with --force to start over.",
                )
            if page.token:
                seen.add(page.token)
            for n, item in enumerate(page.records, start=state["read"] + 1):
                if isinstance(item, Rejected):
                    where = f"{self.client.base_url} page {state['pages'] + 1}"
                    yield Rejected(where, n, item.reason)
                else:
                    yield Item(n, item)
            state["read"] += len(page.records)
            state["pages"] += 1
            state["token"] = page.token
            if page.complete_size:
                state["total"] = page.complete_size
            yield Resume(dict(state), done=not page.token)
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
    timeout: float = 60.0,
    force: bool = False,
    match: bool = True,
    client: OaiClient | None = None,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> IngestReport:
    """Harvest arXiv's OAI-PMH ``ListRecords`` for ``set`` from ``from_date`` on.

    Pages follow the ``resumptionToken``; ``delay`` seconds pass between calls
    and a ``503`` with ``Retry-After`` is waited out (at most two minutes); each
    request times out after ``timeout`` seconds. The token is saved with each
    page's records, so running the same harvest again resumes; a finished
    harvest is skipped unless ``force``. A page that is not OAI-PMH (a login
    page, an empty body) or a repeated token raises
    :class:`~labscout.errors.NetworkError`, the last good token kept.
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
    own = client is None
    client = client or OaiClient(base_url, delay=delay, retries=retries, timeout=timeout)
    source = ArxivOai(client, first, base_url, match)
    try:
        report = ingest(store, source, force=force, batch_size=batch_size, progress=progress)
    finally:
        if own:
            client.close()
    if source.message:
        report.message = source.message
    return report


class ArxivSnapshot(BaseSource):
    """The Kaggle arXiv metadata file (a :class:`Source`)."""

    name = SOURCE_SNAPSHOT
    match_source = "arxiv"
    checkpoint_every = 1000

    def inputs(self, paths: Sequence[str | Path]) -> list[Input]:
        return [
            Input.file(one_path(paths, False, "Pass arxiv-metadata-oai-snapshot.json (Kaggle)."))
        ]

    def parameters(self) -> dict[str, Any]:
        return {"match": self.match_as is not None}

    def read(self, store: Store, input: Input, state: dict[str, Any]) -> Read:
        path = input.path
        assert path is not None
        position = int(state.get("at", 0))
        for item in iter_json_records(path, position):
            if isinstance(item, Rejected):
                if item.reason.startswith(("file ends early", "unreadable file")):
                    yield Resume({"at": position})
                    raise InputError(
                        f"{path}: {item.reason}; the {position:,} lines before it are kept",
                        hint="Fetch the file again and rerun the same command: it resumes there.",
                    )
                yield item
                continue
            position, d = item
            where = str(path)
            yield Item(position, guarded(where, position, parse_snapshot_line, d, where, position))


def arxiv_snapshot(
    store: Store, path: str | Path, *, match: bool = True, **options: Unpack[IngestOptions]
) -> IngestReport:
    """Ingest the Kaggle ``arxiv-metadata-oai-snapshot.json`` (JSON Lines, gzipped or not).

    A line of the wrong shape is rejected with its line number; a file cut in
    the middle keeps the lines before the cut, raises
    :class:`~labscout.errors.InputError`, and resumes there when run again.
    """
    return ingest(store, ArxivSnapshot(match), [path], **options)
