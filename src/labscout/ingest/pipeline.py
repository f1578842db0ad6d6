"""The ingest loop shared by every source: resume, batch, write, checkpoint, report.

:func:`ingest` reads a :class:`~labscout.ingest.source.Source`; underneath,
:func:`run_ingest` consumes an iterable of items:

- a list (or tuple) of records parsed from one source record (a work and the
  authors and institutions it names): counted once as read;
- a :class:`~labscout.records.Rejected`: counted, kept in the report, never fatal;
- a :class:`Checkpoint`: "everything before me has been yielded; resume from
  ``cursor``". It is stored in the same transaction as the records before it,
  so a run killed at any point resumes without loss or double counting.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from labscout.errors import LabscoutError, StoreError
from labscout.ingest.merging import matched
from labscout.ingest.report import IngestReport, add_reject, record_run
from labscout.ingest.source import BulkSource, Input, Item, Resume, Source
from labscout.progress import Progress, SilentProgress
from labscout.records import Author, Institution, MergedId, Rejected, Work
from labscout.sources.guard import check_records
from labscout.store import Batch, Store


@dataclass(frozen=True)
class Checkpoint:
    source: str
    key: str
    cursor: str | None
    done: bool = False


def _saved_state(saved: tuple[str | None, bool] | None, input: Input, force: bool):
    """The state to resume ``input`` from, or None when an earlier run finished it."""
    if saved is None or force:
        return {}
    cursor, done = saved
    try:
        state = orjson.loads(cursor) if cursor else {}
    except orjson.JSONDecodeError:
        state = {}
    if isinstance(state, int):  # a resume point saved as a bare line number
        state = {"at": state}
    if not isinstance(state, dict):
        state = {}
    if done:
        unchanged = input.size is None or state.get("size") in (None, input.size)
        return None if unchanged else {}
    return state


def _marked(source: Source, input: Input, items: Iterable[Any], state: dict) -> Iterator[Any]:
    """``items`` as :func:`run_ingest` takes them, with resume points: every
    ``checkpoint_every`` items (never inside one line), each :class:`Resume`,
    and, for inputs read by line, one marking the input done at its end."""

    def mark(st: dict[str, Any], done: bool = False) -> Checkpoint:
        return Checkpoint(source.name, input.key, orjson.dumps(st).decode(), done)

    every = source.checkpoint_every
    where = str(input.path) if input.path is not None else input.key
    at = int(state.get("at", 0))
    since = 0
    for item in items:
        if type(item) is Item:
            if every and since >= every and item.line != at:
                yield mark({"at": at})
                since = 0
            at = item.line
            since += 1
            records = item.records  # a list of records, or a Rejected: a record that did not parse
            if records.__class__ is list and (why := check_records(records)) is not None:
                records = Rejected(where, item.line, why)
            yield records
        elif type(item) is Resume:
            yield mark(item.state, item.done)
        else:
            yield item
    if source.by_line:
        yield mark({"at": at, "size": input.size} if input.size is not None else {"at": at}, True)


def ingest(
    store: Store,
    source: Source,
    paths: Sequence[str | Path] = (),
    *,
    force: bool = False,
    batch_size: int = 2000,
    progress: Progress | None = None,
    total: int | None = None,
) -> IngestReport:
    """Read ``source``'s inputs named by ``paths`` into ``store``: the one ingest shape.

    Inputs an earlier run finished are skipped (listed in ``report.skipped``)
    unless ``force``; an input an earlier run stopped in resumes after its last
    resume point. With ``source.match_as``, works the store already holds from
    another source are merged (:func:`labscout.ingest.merging.matched`).
    """
    inputs = source.inputs(paths)
    # every saved state is read before the run: the store is not used while batches are written
    saved = {i.key: store.get_progress(source.name, i.key) for i in inputs}
    skipped: list[str] = []
    todo: list[tuple[Input, dict]] = []
    for i in inputs:
        state = _saved_state(saved[i.key], i, force)
        if state is None:
            skipped.append(i.label)
        else:
            todo.append((i, state))

    def items() -> Iterator[Any]:
        for i, state in todo:
            yield from _marked(source, i, source.read(store, i, state), state)

    stream: Iterable[Any] = items()
    if source.match_as is not None:
        stream = matched(store, stream, source.match_as)
    parameters = {**source.parameters(), "force": force}
    if paths:
        parameters = {"paths": [str(p) for p in paths], **parameters}
    report = None
    try:
        if isinstance(source, BulkSource):
            report = _run_bulk(store, source, parameters, [i for i, _ in todo], progress)
        else:
            report = run_ingest(
                store,
                source.name,
                parameters,
                stream,
                batch_size=batch_size,
                progress=progress,
                total=total,
                overlap_writes=source.overlap_writes,
            )
    finally:
        if report is None:
            source.finish(store, None)
    report.skipped = skipped
    return source.finish(store, report) or report


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """While a run goes on, SIGTERM (``kill``, a service stopping) stops it as Ctrl-C
    does: what was read is written and the run is recorded as stopped, not left
    'running'. Only in the main thread, where Python delivers signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt("SIGTERM")

    before = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _while_failing(fn: Any, *args: Any) -> None:
    """``fn(*args)`` while another error stops the run: a failure of its own (the store
    broken by a failed commit, say) is dropped, so the first error is what the user sees."""
    with contextlib.suppress(Exception):
        fn(*args)


def mark_done(store: Store, source: str, input: Input) -> None:
    """Record ``input`` as finished (for sources that write it themselves)."""
    state = {"size": input.size} if input.size is not None else {}
    store.set_progress(source, input.key, orjson.dumps(state).decode(), True)


def _run_bulk(
    store: Store,
    source: BulkSource,
    parameters: dict[str, Any],
    todo: list[Input],
    progress: Progress | None,
) -> IngestReport:
    """A run of a source that writes its inputs itself, recorded as :func:`run_ingest` does."""
    report = IngestReport(source=source.name, run_id=store.begin_run(source.name, parameters))
    started = time.perf_counter()
    try:
        with (
            _sigterm_as_interrupt(),
            (progress or SilentProgress()).task(f"ingest {source.name}", total=len(todo)) as bar,
        ):
            source.load(store, todo, report, bar)
    except KeyboardInterrupt as exc:
        _while_failing(record_run, store, report, "stopped", str(exc) or "interrupted", started)
        raise
    except LabscoutError as exc:
        _while_failing(record_run, store, report, "stopped", str(exc), started)
        raise
    except BaseException as exc:
        _while_failing(record_run, store, report, "failed", f"{type(exc).__name__}: {exc}", started)
        raise
    record_run(store, report, "finished", None, started)
    return report


class _Writer:
    """Records gathered into batches and written, in a background thread if ``overlap``."""

    def __init__(self, store: Store, report: IngestReport, overlap: bool) -> None:
        self.store = store
        self.report = report
        self.pending: dict[tuple[str, str], Checkpoint] = {}
        self.n_in_batch = 0
        self.pool = ThreadPoolExecutor(1, "labscout-writer") if overlap else None
        self.in_flight: list[Future] = []
        self._new_batch()

    def _new_batch(self) -> None:
        self.batch = Batch()
        self.lists: dict[type, list] = {
            Work: self.batch.works,
            Author: self.batch.authors,
            Institution: self.batch.institutions,
            MergedId: self.batch.merged,
        }

    def add(self, records: Iterable[Any]) -> None:
        lists, batch = self.lists, self.batch
        for record in records:
            target = lists.get(type(record))
            if target is not None:
                target.append(record)
            elif isinstance(record, Work):
                batch.works.append(record)
            elif isinstance(record, Author):
                batch.authors.append(record)
            elif isinstance(record, Institution):
                batch.institutions.append(record)
            elif isinstance(record, MergedId):
                batch.merged.append(record)
        self.n_in_batch += 1

    def wait(self) -> None:
        while self.in_flight:
            self.report.counts.add(self.in_flight.pop(0).result())

    def flush(self) -> None:
        if not len(self.batch) and not self.pending:
            return
        marks = [(c.source, c.key, c.cursor, c.done) for c in self.pending.values()]
        if self.pool is None:
            self.report.counts.add(self.store.write(self.batch, marks))
        else:
            self.wait()  # one batch in flight at most: writes stay in order
            self.in_flight.append(self.pool.submit(self.store.write, self.batch, marks))
        self._new_batch()
        self.pending.clear()
        self.n_in_batch = 0

    def close(self) -> None:
        """Let a write in flight finish; its error was (or will be) reported by the loop."""
        if self.pool is None:
            return
        for future in self.in_flight:
            with contextlib.suppress(BaseException):  # the run already ends with an error
                self.report.counts.add(future.result())
        self.in_flight.clear()
        self.pool.shutdown(wait=True)


def run_ingest(
    store: Store,
    source: str,
    parameters: dict[str, Any],
    items: Iterable[Any],
    *,
    batch_size: int = 2000,
    progress: Progress | None = None,
    total: int | None = None,
    overlap_writes: bool = False,
) -> IngestReport:
    """Consume ``items`` into ``store`` in batches of ``batch_size`` source records.

    A :class:`LabscoutError` or an interrupt raised by the source stops the run:
    what was read before is written, the run is marked ``stopped`` with the
    message, and the error is raised again for the caller to report.

    ``overlap_writes`` writes each batch in a background thread while the next
    one is read (DuckDB releases the GIL, so reading and writing use two
    cores). Only for sources that do not use ``store`` while they are iterated.
    """
    progress = progress or SilentProgress()
    run_id = store.begin_run(source, parameters)
    report = IngestReport(source=source, run_id=run_id)
    started = time.perf_counter()
    w = _Writer(store, report, overlap_writes)

    def save_run(status: str, message: str | None = None) -> None:
        w.close()
        record_run(store, report, status, message, started)

    with progress.task(f"ingest {source}", total=total) as bar, _sigterm_as_interrupt():
        try:
            for item in items:
                if isinstance(item, Checkpoint):
                    w.pending[(item.source, item.key)] = item
                    continue
                report.read += 1
                if isinstance(item, Rejected):
                    add_reject(report, item)
                else:
                    w.add(item)
                    if w.n_in_batch >= batch_size:
                        w.flush()
                bar.advance()
            w.flush()
            w.wait()
        except (LabscoutError, KeyboardInterrupt) as exc:
            # what was read before is written, unless the store is what failed; an error
            # here never hides the one that stopped the run
            if not isinstance(exc, StoreError):
                _while_failing(w.flush)
            _while_failing(save_run, "stopped", str(exc) or "interrupted")
            raise
        except BaseException as exc:
            _while_failing(save_run, "failed", f"{type(exc).__name__}: {exc}")
            raise
    if report.counts.merged:
        store.apply_merges()
    save_run("finished")
    return report
