"""DBLP XML into the store: persons with their pids, works matched to stored ones."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Unpack

from labscout.ingest.pipeline import ingest
from labscout.ingest.report import IngestReport
from labscout.ingest.source import BaseSource, IngestOptions, Input, Item, Read, Resume, one_path
from labscout.records import Rejected
from labscout.sources.dblp import DblpBroken, find_dtd, iter_dblp
from labscout.store import Store
from labscout.store.ingest_sql import follow_name_merges

SOURCE = "dblp"


class DblpXml(BaseSource):
    """A DBLP XML file (a :class:`Source`); works matched to stored ones unless ``match=False``."""

    name = SOURCE
    checkpoint_every = 2000

    def __init__(self, dtd: str | Path | None = None, match: bool = True) -> None:
        super().__init__(match)
        self.dtd = dtd
        self.dtd_path: Path | None = None

    def inputs(self, paths: Sequence[str | Path]) -> list[Input]:
        p = one_path(paths, False, "Pass the path of dblp.xml or dblp.xml.gz.")
        self.dtd_path = find_dtd(p, self.dtd)
        return [Input.file(p)]

    def parameters(self) -> dict[str, Any]:
        return {"dtd": str(self.dtd_path), "match": self.match_as is not None}

    def read(self, store: Store, input: Input, state: dict[str, Any]) -> Read:
        assert input.path is not None and self.dtd_path is not None
        try:
            for position, recs in iter_dblp(input.path, self.dtd_path, int(state.get("at", 0))):
                if isinstance(recs, ValueError):
                    yield Rejected(str(input.path), position, f"record {position}: {recs}")
                elif recs:
                    yield Item(position, recs)
        except DblpBroken as exc:
            yield Resume({"at": exc.position})
            raise

    def finish(self, store: Store, report: IngestReport | None) -> IngestReport | None:
        follow_name_merges(store)
        return report


def dblp_xml(
    store: Store,
    path: str | Path,
    *,
    dtd: str | Path | None = None,
    match: bool = True,
    **options: Unpack[IngestOptions],
) -> IngestReport:
    """Ingest a DBLP XML file (``dblp.xml``, ``dblp.xml.gz`` or a part of one).

    Streams the file (flat memory). Person records become authors with their
    DBLP pid and ORCID; articles, inproceedings and incollections become works.
    With ``match`` (the default) a work already in the store from another
    source (same DOI, arXiv id, or normalised title and year) is merged into
    the stored one instead of being added. A file cut in the middle raises
    :class:`~labscout.errors.InputError` after keeping everything before the
    cut; running again resumes after the last record kept.
    """
    return ingest(store, DblpXml(dtd, match), [path], **options)
