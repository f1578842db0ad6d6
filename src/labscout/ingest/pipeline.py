"""The ingest loop shared by every source: batch, write, checkpoint, report.

A source is an iterable of items:

- a list (or tuple) of records parsed from one source record (a work and the
  authors and institutions it names): counted once as read;
- a :class:`~labscout.records.Rejected`: counted, kept in the report, never fatal;
- a :class:`Checkpoint`: "everything before me has been yielded; resume from
  ``cursor``". It is stored in the same transaction as the records before it,
  so a run killed at any point resumes without loss or double counting.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from labscout.errors import LabscoutError
from labscout.progress import Progress, SilentProgress
from labscout.records import Author, Institution, MergedId, Rejected, Work
from labscout.store import Batch, Store, WriteCounts

MAX_REJECTS_KEPT = 1000


@dataclass(frozen=True)
class Checkpoint:
    source: str
    key: str
    cursor: str | None
    done: bool = False


@dataclass
class IngestReport:
    """What one ingest run read and wrote."""

    source: str
    run_id: int
    read: int = 0
    rejected: int = 0
    counts: WriteCounts = field(default_factory=WriteCounts)
    rejects: list[Rejected] = field(default_factory=list)
    status: str = "running"
    message: str | None = None
    elapsed_s: float = 0.0
    skipped: list[str] = field(default_factory=list)  # inputs already done in an earlier run

    @property
    def works_per_s(self) -> float:
        n = self.counts.works_inserted + self.counts.works_updated
        return n / self.elapsed_s if self.elapsed_s else 0.0

    def summary(self) -> str:
        c = self.counts
        parts = [
            f"{self.source}: read {self.read:,}",
            f"works +{c.works_inserted:,} new / {c.works_updated:,} updated",
            f"authors +{c.authors_inserted:,}",
            f"institutions +{c.institutions_inserted:,}",
            f"rejected {self.rejected:,}",
        ]
        if self.skipped:
            parts.append(f"{len(self.skipped)} input(s) already done, skipped")
        return ", ".join(parts) + f" in {self.elapsed_s:.1f}s ({self.status})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "run_id": self.run_id,
            "status": self.status,
            "read": self.read,
            "rejected": self.rejected,
            "works_inserted": self.counts.works_inserted,
            "works_updated": self.counts.works_updated,
            "authors_inserted": self.counts.authors_inserted,
            "authors_updated": self.counts.authors_updated,
            "institutions_inserted": self.counts.institutions_inserted,
            "institutions_updated": self.counts.institutions_updated,
            "merged": self.counts.merged,
            "elapsed_s": round(self.elapsed_s, 3),
            "message": self.message,
            "skipped": self.skipped,
            "rejects": [
                {"location": r.location, "line": r.line, "reason": r.reason} for r in self.rejects
            ],
        }


def _lists_by_type(batch: Batch) -> dict[type, list]:
    """Where each record type goes in ``batch`` (subclasses fall back to isinstance)."""
    return {
        Work: batch.works,
        Author: batch.authors,
        Institution: batch.institutions,
        MergedId: batch.merged,
    }


def record_run(
    store: Store, report: IngestReport, status: str, message: str | None, started: float
) -> None:
    """Close ``report`` with ``status`` and write its counts to the store's ``ingest_runs``.

    ``started`` is the run's ``time.perf_counter()`` at its start.
    """
    report.status = status
    report.message = message
    report.elapsed_s = time.perf_counter() - started
    store.update_run(
        report.run_id,
        status=status,
        message=message,
        n_read=report.read,
        n_inserted=report.counts.inserted,
        n_updated=report.counts.updated,
        n_rejected=report.rejected,
        rejects=report.to_dict()["rejects"],
        finished=True,
    )


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
    batch = Batch()
    lists = _lists_by_type(batch)
    pending: dict[tuple[str, str], Checkpoint] = {}
    n_in_batch = 0
    writer = ThreadPoolExecutor(1, "labscout-writer") if overlap_writes else None
    in_flight: list[Future] = []

    def wait_writes() -> None:
        while in_flight:
            report.counts.add(in_flight.pop(0).result())

    def flush() -> None:
        nonlocal batch, lists, n_in_batch
        if not len(batch) and not pending:
            return
        marks = [(c.source, c.key, c.cursor, c.done) for c in pending.values()]
        if writer is None:
            report.counts.add(store.write(batch, marks))
        else:
            wait_writes()  # one batch in flight at most: writes stay in order
            in_flight.append(writer.submit(store.write, batch, marks))
        batch = Batch()
        lists = _lists_by_type(batch)
        pending.clear()
        n_in_batch = 0

    def close_writer() -> None:
        """Let a write in flight finish; its error was (or will be) reported by the loop."""
        if writer is None:
            return
        for future in in_flight:
            with contextlib.suppress(BaseException):  # the run already ends with an error
                report.counts.add(future.result())
        in_flight.clear()
        writer.shutdown(wait=True)

    def save_run(status: str, message: str | None = None) -> None:
        close_writer()
        record_run(store, report, status, message, started)

    with progress.task(f"ingest {source}", total=total) as bar:
        try:
            for item in items:
                if isinstance(item, Checkpoint):
                    pending[(item.source, item.key)] = item
                    continue
                if isinstance(item, Rejected):
                    report.rejected += 1
                    report.read += 1
                    if len(report.rejects) < MAX_REJECTS_KEPT:
                        report.rejects.append(item)
                    bar.advance()
                    continue
                report.read += 1
                for record in item:
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
                n_in_batch += 1
                bar.advance()
                if n_in_batch >= batch_size:
                    flush()
            flush()
            wait_writes()
        except (LabscoutError, KeyboardInterrupt) as exc:
            try:
                flush()
            finally:
                save_run("stopped", str(exc) or type(exc).__name__)
            raise
        except BaseException as exc:
            save_run("failed", f"{type(exc).__name__}: {exc}")
            raise
    if report.counts.merged:
        store.apply_merges()
    save_run("finished")
    return report
