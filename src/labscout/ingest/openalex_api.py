"""OpenAlex API into the store: works by topic, then their authors and institutions.

The resume point of a query (its search, filter, since and max_works) is kept
in ``ingest_progress`` as JSON: the next cursor, the works read so far, and
the author and institution ids still to fetch. It is saved with the records
before it in one transaction, so a run stopped by the daily budget, a network
fault or a kill resumes where it stopped and ends with the same counts as an
uninterrupted run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from labscout.errors import ConfigError, NetworkError
from labscout.ingest.pipeline import ingest
from labscout.ingest.report import IngestReport
from labscout.ingest.source import BaseSource, Input, Item, Read, Resume
from labscout.progress import Progress
from labscout.records import Rejected
from labscout.settings import Settings
from labscout.sources.openalex import parse_entity
from labscout.sources.openalex_api import IDS_PER_CALL, OpenAlexClient
from labscout.store import Store

SOURCE_API = "openalex-api"
_AUTHOR_ID = re.compile(r"^A\d+$")
_INSTITUTION_ID = re.compile(r"^I\d+$")


def query_filter(filter: str | None, since: int | None) -> str | None:
    """OpenAlex ``filter`` from the user's filter plus ``from_publication_date`` for ``since``."""
    parts = [p for p in (filter or "").split(",") if p.strip()]
    if since is not None:
        if not 1000 <= since <= 9999:
            raise ConfigError(
                f"--since {since} is not a year", hint="Pass a year, e.g. --since 2020."
            )
        parts.append(f"from_publication_date:{since}-01-01")
    return ",".join(parts) or None


def _initial_state() -> dict[str, Any]:
    return {"cursor": "*", "read": 0, "authors": [], "institutions": []}


class OpenAlexApi(BaseSource):
    """Works of one query from the OpenAlex API, then their authors and institutions
    (a :class:`Source`, resumed from its cursor and the ids still to fetch)."""

    name = SOURCE_API
    checkpoint_every = None
    by_line = False

    def __init__(
        self,
        client: OpenAlexClient,
        search: str | None,
        filter: str | None,
        max_works: int | None,
        with_entities: bool,
    ) -> None:
        self.client = client
        self.search = search
        self.filter = filter
        self.max_works = max_works
        self.with_entities = with_entities
        self.state = _initial_state()
        self.seen: set[str] = set()
        self.cursors: set[str] = set()  # the cursors asked for in this run: one again is a loop

    def parameters(self) -> dict[str, Any]:
        return {"search": self.search, "filter": self.filter, "max_works": self.max_works}

    def inputs(self, paths: Sequence[str | Path]) -> list[Input]:
        return [Input.query("query", self.parameters())]

    def checkpoint(self, done: bool = False) -> Resume:
        return Resume(self.state, done)

    def _note_ids(self, records: list) -> None:
        if not self.with_entities:
            return
        for r in records:
            ids = getattr(r, "authorships", None)
            if ids is None:
                continue
            for a in r.authorships:
                if _AUTHOR_ID.match(a.author_id) and a.author_id not in self.seen:
                    self.seen.add(a.author_id)
                    self.state["authors"].append(a.author_id)
                for i in a.institution_ids:
                    if _INSTITUTION_ID.match(i) and i not in self.seen:
                        self.seen.add(i)
                        self.state["institutions"].append(i)

    def _drain(self) -> Iterator[Any]:
        """Fetch the pending authors and institutions, 50 a call, checkpointing each call."""
        for entity in ("authors", "institutions"):
            while self.state[entity]:
                chunk = self.state[entity][:IDS_PER_CALL]
                for results in self.client.by_ids(entity, chunk):
                    for d in results:
                        item = parse_entity(d, f"openalex-api /{entity}", None)
                        if entity == "authors" and not isinstance(item, Rejected):
                            self._note_ids_of_authors(item)
                        yield Item(0, item)
                del self.state[entity][: len(chunk)]
                yield self.checkpoint()

    def _note_ids_of_authors(self, records: list) -> None:
        # an author's last known institutions come with it (dehydrated); nothing to fetch
        for r in records[1:]:
            self.seen.add(r.id)

    def read(self, store: Store, input: Input, state: dict[str, Any]) -> Read:
        self.state = state = {**_initial_state(), **state}
        self.seen = set(state["authors"]) | set(state["institutions"])
        while True:
            yield from self._drain()
            cursor = state["cursor"]
            left = None if self.max_works is None else self.max_works - state["read"]
            if cursor is None or (left is not None and left <= 0):
                break
            self.cursors.add(cursor)
            page = self.client.works_page(search=self.search, filter=self.filter, cursor=cursor)
            if page.next_cursor is not None and page.next_cursor in self.cursors:
                raise NetworkError(
                    f"OpenAlex repeated the cursor {page.next_cursor[:60]!r} (a loop): stopped "
                    f"after {state['read']:,} works",
                    hint="Try again later (the run resumes from the last good cursor), or "
                    "rerun with --force to start over.",
                )
            results = page.results if left is None else page.results[:left]
            for n, d in enumerate(results, start=state["read"] + 1):
                item = parse_entity(d, "openalex-api /works", n)
                if not isinstance(item, Rejected):
                    self._note_ids(item)
                yield Item(n, item)
            state["read"] += len(results)
            state["cursor"] = page.next_cursor if results else None
            yield self.checkpoint()
        yield self.checkpoint(done=True)


def openalex_api(
    store: Store,
    *,
    search: str | None = None,
    filter: str | None = None,
    since: int | None = None,
    max_works: int | None = None,
    settings: Settings | None = None,
    api_key: str | None = None,
    mailto: str | None = None,
    with_entities: bool = True,
    force: bool = False,
    client: OpenAlexClient | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest the works matching ``search``/``filter`` from the OpenAlex API.

    Works come 100 a page by cursor; then the full records of the authors and
    institutions they name, 50 ids a call (skip with ``with_entities=False``).
    ``api_key`` and ``mailto`` override ``settings``. Running the same query
    again resumes an interrupted run; a finished query is skipped unless
    ``force``. Raises :class:`~labscout.errors.RateLimitError` when the daily
    budget is spent and :class:`~labscout.errors.NetworkError` after the
    retries, both with the resume point saved and the store intact.
    """
    if not (search or filter or since is not None):
        raise ConfigError(
            "say which works to fetch",
            hint='Pass --search "graph neural networks" and/or --filter / --since.',
        )
    if max_works is not None and max_works < 1:
        raise ConfigError(f"--max-works {max_works} must be at least 1")
    s = settings or Settings.load()
    full_filter = query_filter(filter, since)
    own_client = client is None
    if client is None:
        client = OpenAlexClient(
            s.openalex_base_url,
            api_key=api_key or s.openalex_api_key,
            mailto=mailto or s.openalex_mailto,
            timeout=s.http_timeout,
            retries=s.http_retries,
        )
    source = OpenAlexApi(client, search, full_filter, max_works, with_entities)
    try:
        return ingest(
            store, source, force=force, batch_size=s.batch_size, progress=progress, total=max_works
        )
    except NetworkError as exc:  # budget spent or network fault: resumable
        read = source.state["read"]
        exc.message = f"{exc.message}; stopped after {read:,} works, resume point saved"
        exc.args = (exc.message,)
        raise
    finally:
        if own_client:
            client.close()
