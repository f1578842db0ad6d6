"""Conference paper lists (Paper Copilot format) into the store, resumably, one file at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Unpack

from labscout.errors import InputError
from labscout.ingest.pipeline import ingest
from labscout.ingest.report import IngestReport
from labscout.ingest.source import BaseSource, IngestOptions, Input, Item, Read
from labscout.records import Institution, Rejected
from labscout.sources.jsonfiles import expand_paths
from labscout.sources.paperlists import SOURCE, Dropped, iter_paperlist
from labscout.store import Store
from labscout.store.ingest_sql import institution_types, known_institutions

SUFFIXES = (".json", ".json.gz")
MAX_DROPPED_KEPT = 1000


@dataclass
class PaperListReport(IngestReport):
    """An :class:`IngestReport` plus papers kept without their affiliations, and institution types.

    ``dropped`` counts papers kept whose affiliations could not be lined up
    with their authors (the first ones are in ``dropped_items``, with file and
    position); ``institution_types`` counts this source's institutions in the
    store by guessed type (``unknown`` when no rule matched).
    """

    dropped: int = 0
    dropped_items: list[Dropped] = field(default_factory=list)
    institution_types: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        text = super().summary()
        if self.dropped:
            text += f"; {self.dropped:,} paper(s) kept without affiliations that did not align"
        if self.institution_types:
            kinds = ", ".join(f"{k} {v:,}" for k, v in self.institution_types.items())
            text += f"; institutions by type: {kinds}"
        return text

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["dropped"] = self.dropped
        out["dropped_items"] = [
            {"location": d.location, "line": d.line, "reason": d.reason} for d in self.dropped_items
        ]
        out["institution_types"] = self.institution_types
        return out


def finish_report(
    store: Store, report: IngestReport, dropped: list[Dropped], source: str
) -> PaperListReport:
    """Wrap ``report`` with the dropped affiliations and the type counts; save them with the run."""
    out = PaperListReport(**vars(report))
    out.dropped = len(dropped)
    out.dropped_items = dropped[:MAX_DROPPED_KEPT]
    out.institution_types = institution_types(store, source)
    if dropped:
        both: list[Rejected | Dropped] = [*report.rejects, *out.dropped_items]
        rejects = [{"location": r.location, "line": r.line, "reason": r.reason} for r in both]
        store.update_run(report.run_id, rejects=rejects[:MAX_DROPPED_KEPT])
    return out


class PaperLists(BaseSource):
    """Paper Copilot lists (a :class:`Source`); keeps aside the papers whose affiliations
    did not line up (``dropped``) and reports them with the institution types."""

    name = SOURCE

    def __init__(self, match: bool = True) -> None:
        super().__init__(match)
        self.dropped: list[Dropped] = []
        self.known: dict[str, Institution] | None = None

    def inputs(self, paths: Sequence[str | Path]) -> list[Input]:
        files = [
            p for p in expand_paths(list(paths), SUFFIXES) if not p.name.startswith("croissant")
        ]
        if not files:
            raise InputError(
                "no paper list files found in " + ", ".join(map(str, paths)),
                hint="Pass .json or .json.gz files in the Paper Copilot format, "
                "or a folder of them.",
            )
        return [Input.file(p) for p in files]

    def parameters(self) -> dict[str, Any]:
        return {"match": self.match_as is not None}

    def papers(self, store: Store, input: Input, state: dict[str, Any]) -> Iterator[Any]:
        """``(line, records[, Dropped])`` and rejects of ``input`` after ``state``."""
        if self.known is None:
            self.known = known_institutions(store, SOURCE)
        assert input.path is not None
        return iter_paperlist(input.path, int(state.get("at", 0)), self.known)

    def read(self, store: Store, input: Input, state: dict[str, Any]) -> Read:
        for item in self.papers(store, input, state):
            if isinstance(item, Rejected):
                yield item
                continue
            if len(item) == 3:
                self.dropped.append(item[2])
            yield Item(item[0], item[1])

    def finish(self, store: Store, report: IngestReport | None) -> IngestReport | None:
        if report is None:
            return None
        return finish_report(store, report, self.dropped, self.name)


def paperlists(
    store: Store, paths: list[str | Path], *, match: bool = True, **options: Unpack[IngestOptions]
) -> PaperListReport:
    """Ingest Paper Copilot paper lists: ``.json`` or ``.json.gz`` files, or folders of them.

    Venue and year come from each file's name (``nips2018.json.gz`` -> NeurIPS
    2018). A file an earlier run finished is skipped unless ``force``; a file
    an earlier run was interrupted in resumes after the last saved paper.
    Papers without a title or authors are rejected (counted, with file and
    position); papers whose affiliations do not line up are kept without them
    and counted as ``dropped``. With ``match``, a paper the store already holds
    from another source (same DOI, arXiv id, or title and year) is merged into
    that work (:func:`labscout.ingest.merging.matched`), its authors linked.
    """
    report = ingest(store, PaperLists(match), paths, **options)
    assert isinstance(report, PaperListReport)
    return report
