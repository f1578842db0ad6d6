"""``Labscout``: the one object behind the CLI, the web app and the Python API.

As datasette's ``Datasette``: it holds the store, and loads on first use the
search index, the co-author graph and (through the index) the embedder; every
question is one method that returns a result type (``to_dict()``,
``to_json()``). The CLI makes one per command, the web app one per process,
tests one per fixture::

    from labscout import Labscout, Query

    with Labscout("labscout.duckdb") as ls:
        result = ls.find(Query(text="graph neural networks", top=5))
        print(result.to_json())

The store is opened read-only unless asked otherwise. Threads (the web app's
workers) may share one ``Labscout``: over a read-only store each call reads
through a DuckDB cursor of its own (:meth:`Store.cursor`, kept in a pool), so
calls run at once;
a writable store has one connection, and every method then holds the object's
lock. The index and the co-author graph are loaded once, under the lock, and
shared (read-only) by every thread.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from labscout.progress import Progress, SilentProgress
from labscout.query import Query
from labscout.results import JsonResult
from labscout.settings import Settings
from labscout.store import Store

F = TypeVar("F", bound=Callable[..., Any])


def _locked(fn: F) -> F:
    """``fn`` under the object's lock; over a read-only store, instead, with a cursor
    of its own for the length of the call (see :meth:`Labscout.store`)."""

    @functools.wraps(fn)
    def wrapper(self: Labscout, *args: Any, **kwargs: Any) -> Any:
        if not self.per_thread:
            with self.lock:
                return fn(self, *args, **kwargs)
        if getattr(self._local, "call", None) is not None:  # a call within a call
            return fn(self, *args, **kwargs)
        self._local.call = self._checkout()
        try:
            return fn(self, *args, **kwargs)
        finally:
            self._checkin(self._local.call)
            self._local.call = None

    return wrapper  # type: ignore[return-value]


def _loading(fn: F) -> F:
    """``fn`` (a load on first use) always under the object's lock: loaded once."""

    @functools.wraps(fn)
    def wrapper(self: Labscout, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            return fn(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True)
class InstitutionView(JsonResult):
    """One institution, and with a topic its place on that topic's ladder."""

    institution: dict[str, Any]
    """id, display_name, ror, country_code, type."""
    topic: str | None = None
    rank: dict[str, Any] | None = None
    """Its line of the ladder (``InstitutionRank.to_dict()``); None when no researcher's
    work on the topic credits it."""
    n_ranked: int = 0
    """How many institutions the topic credits at all."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Labscout:
    """The store and what is loaded from it, with one method a question.

    ``db``: a store path (default: the ``db`` setting) or an open
    :class:`~labscout.store.Store` (then the caller closes it). ``reindex``: build
    or update a missing or stale search index instead of refusing it.
    """

    def __init__(
        self,
        db: str | os.PathLike[str] | Store | None = None,
        settings: Settings | None = None,
        *,
        read_only: bool = True,
        reindex: bool = False,
        index_path: str | os.PathLike[str] | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.settings = settings or Settings.load()
        if isinstance(db, Store):
            self._store = db
            self._owns_store = False
        else:
            self._store = Store(db if db is not None else self.settings.db, read_only=read_only)
            self._owns_store = True
        self.per_thread = self._store.read_only
        """Whether each thread reads through its own cursor (a read-only store)."""
        self._owner = threading.get_ident()
        self._local = threading.local()
        self._cursors: list[Store] = []  # every cursor made, closed with this object
        self._idle: list[Store] = []  # those no call is using
        self.reindex = reindex
        self.index_path = index_path
        self.progress = progress or SilentProgress()
        self.lock = threading.RLock()
        self._index: Any = None
        self._graph: Any = None
        self._graph_key: tuple[int, str] | None = None

    # -- lifetime ----------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The store as this thread reads it. A writable store: the one opened. A
        read-only one: during a method call, the cursor the call checked out of a pool
        (so cursors are as many as calls at once, however often threads come and go);
        outside one, the store opened in the thread that made this object, else a
        cursor kept for the thread."""
        if not self.per_thread:
            return self._store
        call = getattr(self._local, "call", None)
        if call is not None:
            return call
        if threading.get_ident() == self._owner:
            return self._store
        mine = getattr(self._local, "store", None)
        if mine is None:
            mine = self._local.store = self._checkout()
        return mine

    def _checkout(self) -> Store:
        with self.lock:
            if self._idle:
                return self._idle.pop()
            cursor = self._store.cursor()
            self._cursors.append(cursor)
            return cursor

    def _checkin(self, cursor: Store) -> None:
        with self.lock:
            self._idle.append(cursor)

    def close(self) -> None:
        """Close the store (when this object opened it) and drop what was loaded."""
        with self.lock:
            self._index = self._graph = None
            for cursor in self._cursors:
                cursor.close()
            self._cursors.clear()
            self._idle.clear()
            if self._owns_store:
                self._store.close()

    def __enter__(self) -> Labscout:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what is loaded on first use ----------------------------------------------

    @_loading
    def index(self) -> Any:
        """The search index (:class:`~labscout.index.build.SearchIndex`), loaded once."""
        if self._index is None:
            from labscout.index.build import load_index

            self._index = load_index(
                self.store,
                self.index_path,
                on_stale="rebuild" if self.reindex else "refuse",
                progress=self.progress,
            )
        return self._index

    @property
    def embedder(self) -> Any:
        """The embedder the index was built with (loaded with the index's first query)."""
        from labscout.index.embedders import get_embedder

        return get_embedder(self.index().embedder_name)

    @_loading
    def graph(self, max_authors: int | None = None, backend: str | None = None) -> Any:
        """The co-author graph (:class:`~labscout.graph.CoauthorGraph`), built or read
        from its disk cache once; asking with other settings replaces it. Over a
        read-only store the cache is read but never written: it stays in memory."""
        from labscout.graph.build import DEFAULT_BACKEND, DEFAULT_MAX_AUTHORS, build_graph

        key = (max_authors or DEFAULT_MAX_AUTHORS, backend or DEFAULT_BACKEND)
        if self._graph is None or self._graph_key != key:
            self._graph = build_graph(self.store, key[0], backend=key[1], progress=self.progress,
                                      save=not self._store.read_only)  # fmt: skip
            self._graph_key = key
        return self._graph

    # -- questions ----------------------------------------------------------------

    @_locked
    def find(self, query: Query | str, params: Any = None) -> Any:
        """Researchers for a query, with evidence (:func:`labscout.rank.find.find`)."""
        from labscout.rank.find import find

        query = Query(text=query) if isinstance(query, str) else query
        return find(
            self.store,
            query,
            params=params,
            index=self.index(),
            graph=self.graph() if query.reach_from else None,
            progress=self.progress,
        )

    @_locked
    def ladder(
        self,
        query: Query | str,
        params: Any = None,
        rank_params: Any = None,
        reference_year: int | None = None,
    ) -> Any:
        """Institutions for a topic in tiers (:func:`labscout.rank.ladder.ladder`)."""
        from labscout.rank.ladder import ladder

        return ladder(
            self.store,
            query,
            params=params,
            rank_params=rank_params,
            index=self.index(),
            reference_year=reference_year,
            progress=self.progress,
        )

    @_locked
    def read(self, query: Query | str, params: Any = None) -> Any:
        """What to read first on a topic (:func:`labscout.rank.reading.reading_list`)."""
        from labscout.rank.reading import reading_list

        text = query if isinstance(query, str) else query.text
        return reading_list(self.store, text or "", params=params, index=self.index())

    @_locked
    def researcher(self, ref: str, params: Any = None) -> Any:
        """One researcher's signals (:func:`labscout.signals.researcher_profile`)."""
        from labscout.signals import researcher_profile

        return researcher_profile(self.store, ref, params)

    @_locked
    def paths(
        self,
        target: str,
        sources: Sequence[str] = (),
        *,
        source_orcids: Sequence[str] = (),
        source_names: Sequence[str] = (),
        k: int | None = None,
        max_length: int | None = None,
        max_authors: int | None = None,
    ) -> list[Any]:
        """The k shortest co-author paths from people one knows to ``target``
        (:func:`labscout.graph.paths`), on this object's graph."""
        from labscout.graph.paths import DEFAULT_K, DEFAULT_MAX_LENGTH, paths

        return paths(
            self.store,
            sources,
            target,
            source_orcids=source_orcids,
            source_names=source_names,
            k=DEFAULT_K if k is None else k,
            max_length=DEFAULT_MAX_LENGTH if max_length is None else max_length,
            graph=self.graph(max_authors),
        )

    @_locked
    def institution(
        self, institution_id: str, topic: str | None = None, params: Any = None
    ) -> InstitutionView:
        """One institution; with ``topic``, its rank, tier and researchers on that topic's
        ladder, computed for this place alone (no hidden gems, no other lines)."""
        from labscout.rank.institutions import LadderParams, ladder_matches, rank_one_institution
        from labscout.rank.tiers import field_prestige

        inst = self.store.get_institution(institution_id)
        info = {
            "id": inst.id,
            "display_name": inst.display_name,
            "ror": inst.ror,
            "country_code": inst.country_code,
            "type": inst.type,
        }
        topic = (topic or "").strip() or None
        if topic is None:
            return InstitutionView(info)
        params = params or LadderParams()
        found, rp = ladder_matches(self.store, Query(text=topic), params, index=self.index())
        field = field_prestige(self.store, params.prestige_years, params.n_tiers,
                               params.tier_method)  # fmt: skip
        entry, n = rank_one_institution(
            self.store, found.matches, inst.id, field, rp.max_works, rp.work_decay, params
        )
        return InstitutionView(info, topic, entry.to_dict() if entry else None, n)

    @_locked
    def topics(self, query: Query | str, sort: str = "near", params: Any = None) -> Any:
        """The research topics near a query (text, liked works, a .bib, one's own works),
        sorted by ``sort`` (near, abstract, more-abstract, exotic, growth, size): a
        :class:`~labscout.rank.topics.TopicMap`
        (:func:`labscout.rank.topic_query.topics_for_query`)."""
        from labscout.rank.topic_query import topics_for_query

        return topics_for_query(self.store, self.index(), query, sort, params)

    @_locked
    def interns(self, ref: str, params: Any = None) -> Any:
        """The intern-host signal of one researcher (any reference
        :func:`labscout.people.resolve_person` reads): an
        :class:`~labscout.signals.interns.InternHostSignal`, "hosted about N likely interns"."""
        from labscout.signals.interns import intern_host_signal

        return intern_host_signal(self.store, ref, params)

    @_locked
    def company_interns(self, institution: str, params: Any = None) -> Any:
        """The intern-host signal of one company institution (an id, or a name as
        ``ladder --from`` takes it): a :class:`~labscout.signals.interns.CompanyInternSignal`."""
        from labscout.rank.stepping import resolve_institution
        from labscout.signals.interns import company_intern_signal

        return company_intern_signal(self.store, resolve_institution(self.store, institution),
                                     params)  # fmt: skip

    @_locked
    def intern_hosts(
        self,
        author_ids: Sequence[str] | None = None,
        company_ids: Sequence[str] | None = None,
        params: Any = None,
    ) -> tuple[Any, ...]:
        """Every researcher with at least one likely intern (among ``author_ids``, or the
        hosts at ``company_ids``, or the whole store), most interns first."""
        from labscout.signals.interns import intern_hosts

        return intern_hosts(self.store, params, author_ids, company_ids)

    @_locked
    def company_intern_signals(
        self, company_ids: Sequence[str] | None = None, params: Any = None
    ) -> tuple[Any, ...]:
        """Every company institution (among ``company_ids``, or all) with at least one
        likely intern, most first."""
        from labscout.signals.interns import company_intern_signals

        return company_intern_signals(self.store, params, company_ids)

    @_locked
    def plan(self, query: Query | str, params: Any = None, ladder_params: Any = None) -> Any:
        """Where to aim, who to write to, what to read first (:func:`labscout.planning.plan`):
        bands relative to ``query.from_institution``, co-author paths from
        ``query.reach_from`` (people you know) on this object's index and graph."""
        from labscout.planning import plan

        query = Query(text=query) if isinstance(query, str) else query
        return plan(self.store, query, params, ladder_params, index=self.index(),
                    graph=self.graph, progress=self.progress)  # fmt: skip

    # scout: its method goes here when its library function lands (issue 14)
