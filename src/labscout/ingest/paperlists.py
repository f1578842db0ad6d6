"""Conference paper lists (Paper Copilot format) into the store, resumably, one file at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labscout.errors import InputError
from labscout.ingest.matching import matched
from labscout.ingest.pipeline import Checkpoint, IngestReport, run_ingest
from labscout.progress import Progress
from labscout.records import Institution, Rejected
from labscout.sources.jsonfiles import expand_paths
from labscout.sources.paperlists import SOURCE, Dropped, iter_paperlist
from labscout.store import Store

SUFFIXES = (".json", ".json.gz")
CHECKPOINT_EVERY = 500  # papers between resume points inside one file
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


def _file_key(path: Path) -> str:
    st = path.stat()
    return f"{path.resolve()}|{st.st_size}"


def institution_types(store: Store, source: str) -> dict[str, int]:
    """Institutions of ``source`` in the store by type, most first (None -> ``unknown``)."""
    rows = store.con.execute(
        "SELECT coalesce(type, 'unknown') AS t, count(*) AS n FROM institutions "
        "WHERE source = ? GROUP BY t ORDER BY n DESC, t",
        [source],
    ).fetchall()
    return {t: n for t, n in rows}


def finish_report(
    store: Store, report: IngestReport, dropped: list[Dropped], skipped: list[str], source: str
) -> PaperListReport:
    """Wrap ``report`` with the dropped affiliations and the type counts; save them with the run."""
    out = PaperListReport(**vars(report))
    out.skipped = skipped
    out.dropped = len(dropped)
    out.dropped_items = dropped[:MAX_DROPPED_KEPT]
    out.institution_types = institution_types(store, source)
    if dropped:
        rejects = [
            {"location": r.location, "line": r.line, "reason": r.reason}
            for r in [*report.rejects, *out.dropped_items]
        ]
        store.update_run(report.run_id, rejects=rejects[:MAX_DROPPED_KEPT])
    return out


def collect_dropped(items: Iterable[Any], dropped: list[Dropped]) -> Iterator[Any]:
    """Pass ``items`` on to the pipeline, keeping each :class:`Dropped` aside in ``dropped``."""
    for item in items:
        if isinstance(item, Dropped):
            dropped.append(item)
        else:
            yield item


def known_institutions(store: Store, source: str) -> dict[str, Institution]:
    """The source's institutions already in the store, by id."""
    rows = store.con.execute(
        "SELECT id, display_name, country_code, type FROM institutions WHERE source = ?", [source]
    ).fetchall()
    return {
        r[0]: Institution(id=r[0], display_name=r[1], country_code=r[2], type=r[3], source=source)
        for r in rows
    }


def _items(store: Store, files: list[Path], force: bool, skipped: list[str]) -> Iterator[Any]:
    known = known_institutions(store, SOURCE)
    for path in files:
        key = _file_key(path)
        state = store.get_progress(SOURCE, key)
        if state and state[1] and not force:
            skipped.append(str(path))
            continue
        skip = int(state[0] or 0) if state and not force else 0
        position = skip
        for item in iter_paperlist(path, skip, known):
            if isinstance(item, Rejected):
                yield item
                continue
            position = item[0]
            if len(item) == 3:
                yield item[2]
            yield item[1]
            if position % CHECKPOINT_EVERY == 0:
                yield Checkpoint(SOURCE, key, str(position))
        yield Checkpoint(SOURCE, key, str(position), done=True)


def paperlists(
    store: Store,
    paths: list[str | Path],
    *,
    force: bool = False,
    match: bool = True,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> PaperListReport:
    """Ingest Paper Copilot paper lists: ``.json`` or ``.json.gz`` files, or folders of them.

    Venue and year come from each file's name (``nips2018.json.gz`` -> NeurIPS
    2018). A file an earlier run finished is skipped unless ``force``; a file
    an earlier run was interrupted in resumes after the last saved paper.
    Papers without a title or authors are rejected (counted, with file and
    position); papers whose affiliations do not line up are kept without them
    and counted as ``dropped``. With ``match``, a paper the store already holds
    from another source (same DOI, arXiv id, or title and year) is merged into
    that work (:func:`labscout.ingest.matching.matched`), its authors linked.
    """
    files = [p for p in expand_paths(paths, SUFFIXES) if not p.name.startswith("croissant")]
    if not files:
        raise InputError(
            "no paper list files found in " + ", ".join(map(str, paths)),
            hint="Pass .json or .json.gz files in the Paper Copilot format, or a folder of them.",
        )
    skipped: list[str] = []
    dropped: list[Dropped] = []
    items = _items(store, files, force, skipped)
    if match:
        items = matched(store, items, SOURCE)
    report = run_ingest(
        store,
        SOURCE,
        {"paths": [str(p) for p in paths], "force": force, "match": match},
        collect_dropped(items, dropped),
        batch_size=batch_size,
        progress=progress,
    )
    return finish_report(store, report, dropped, skipped, SOURCE)
