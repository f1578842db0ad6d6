"""What one ingest run read and wrote (:class:`IngestReport`), and how it is recorded."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from labscout.records import Rejected
from labscout.store import Store, WriteCounts

MAX_REJECTS_KEPT = 1000


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


def add_reject(report: IngestReport, r: Rejected) -> None:
    """Count ``r`` in ``report``, keeping the first :data:`MAX_REJECTS_KEPT`."""
    report.rejected += 1
    if len(report.rejects) < MAX_REJECTS_KEPT:
        report.rejects.append(r)


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
