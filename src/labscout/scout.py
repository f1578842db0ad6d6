"""From a topic to answers in one call: fetch, index, find, ladder, reading list.

:func:`scout` fetches the topic's works from the OpenAlex API with their authors and
institutions into the store (:func:`labscout.ingest.openalex_api`: cursor pages,
resumable, and a query an earlier run finished is not fetched again), brings the index
up to date (only new works are embedded), then asks the one core object
(:class:`labscout.core.Labscout`) the three questions a student starts with: who works
on it (``find``), where (``ladder``) and what to read first (``read``). The answers are
the same result types the CLI, the web app and the Python API give.

The API key comes from the settings (``OPENALEX_API_KEY``, ``--api-key``), as for
``labscout ingest openalex-api``; without one, a topic not fetched before stops at once
with :class:`~labscout.errors.ConfigError` and the hint saying where to get a key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from labscout.errors import ConfigError
from labscout.progress import Progress, SilentProgress
from labscout.results import JsonResult
from labscout.settings import Settings
from labscout.store import Store

DEFAULT_MAX_WORKS = 3000
"""Works fetched for a topic unless told otherwise: about 30 API pages, a few minutes."""


@dataclass(frozen=True)
class ScoutResult(JsonResult):
    """What :func:`scout` fetched and built, and the three answers."""

    topic: str
    since: int | None
    max_works: int | None
    db: str
    fetch: Any
    """The ingest run (:class:`~labscout.ingest.report.IngestReport`); ``fetch.skipped``
    is not empty when an earlier run had fetched this topic already."""
    index: Any
    """The index run (:class:`~labscout.index.build.IndexReport`)."""
    find: Any
    """Who works on the topic (:class:`~labscout.results.FindResult`)."""
    ladder: Any
    """Where: the institutions in tiers (:class:`~labscout.results.LadderResult`)."""
    reading: Any
    """What to read first (:class:`~labscout.results.ReadingList`)."""
    notes: list[str] = field(default_factory=list)

    @property
    def fetched_nothing_new(self) -> bool:
        return bool(self.fetch.skipped)

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        index = asdict(self.index)
        for key in ("seconds", "embed_seconds"):
            index.pop(key, None)
        fetch = self.fetch.to_dict()
        for key in ("elapsed_s", "works_per_s"):
            fetch.pop(key, None)
        return {
            "topic": self.topic,
            "since": self.since,
            "max_works": self.max_works,
            "db": self.db,
            "fetch": fetch,
            "index": index,
            "find": _answer(self.find),
            "ladder": _answer(self.ladder),
            "reading": _answer(self.reading),
            "notes": list(self.notes),
        }


def _answer(result: Any) -> dict[str, Any]:
    """A result as its own command's JSON gives it (``labscout find --format json``...)."""
    from labscout.results import TIMING_KEYS

    return {k: v for k, v in result.to_dict().items() if k not in TIMING_KEYS}


def _fetched_before(store: Store, topic: str, since: int | None, max_works: int | None) -> bool:
    """Whether an earlier run finished fetching exactly this query."""
    from labscout.ingest.openalex_api import SOURCE_API, OpenAlexApi, query_filter

    source = OpenAlexApi(None, topic, query_filter(None, since), max_works, True)  # type: ignore
    (query,) = source.inputs([])
    saved = store.get_progress(SOURCE_API, query.key)
    return bool(saved and saved[1])


def scout(
    db: str | os.PathLike[str] | None,
    topic: str,
    *,
    since: int | None = None,
    max_works: int | None = DEFAULT_MAX_WORKS,
    top: int | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    client: Any = None,
) -> ScoutResult:
    """Fetch ``topic`` from OpenAlex into the store at ``db``, index it, and answer.

    ``since``: only works published from this year on; ``max_works``: at most this many
    works (None: all). ``client``: an :class:`~labscout.sources.openalex_api.OpenAlexClient`
    to use (tests point one at a local server); by default one is made from the settings.
    Raises :class:`~labscout.errors.ConfigError` without an API key (unless this query was
    fetched before) and :class:`~labscout.errors.NetworkError` when OpenAlex cannot be
    reached, the store intact and the run resumable.
    """
    from labscout.core import Labscout
    from labscout.index.build import build_index
    from labscout.ingest.openalex_api import openalex_api
    from labscout.query import Query
    from labscout.sources.openalex_api import KEY_HINT

    topic = " ".join(topic.split())
    if not topic:
        raise ConfigError(
            "say which topic to scout", hint='e.g. labscout scout "graph neural networks"'
        )
    s = settings or Settings.load()
    progress = progress or SilentProgress()
    path = str(db if db is not None else s.db)
    with Store(path) as store:
        if (
            client is None
            and not s.openalex_api_key
            and not _fetched_before(store, topic, since, max_works)
        ):
            raise ConfigError("no OpenAlex API key", hint=KEY_HINT)
        fetch = openalex_api(
            store,
            search=topic,
            since=since,
            max_works=max_works,
            settings=s,
            client=client,
            progress=progress,
        )
        index = build_index(store, default_embedder=s.embedder, progress=progress)
        query = Query(text=topic, since=since, top=top)
        with Labscout(store, s, progress=progress) as ls:
            found = ls.find(query)
            ladder = ls.ladder(query)
            reading = ls.read(query)
    notes = []
    if index.embedder == "words":
        notes.append(
            "lexical answers: no embedding model installed (pip install 'labscout[embed]')"
        )
    return ScoutResult(topic, since, max_works, path, fetch, index, found, ladder, reading, notes)
