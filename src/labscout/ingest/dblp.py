"""DBLP XML into the store: persons with their pids, works matched to stored ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from labscout.errors import InputError
from labscout.ingest.matching import matched
from labscout.ingest.pipeline import Checkpoint, IngestReport, run_ingest
from labscout.progress import Progress
from labscout.records import Rejected
from labscout.sources.dblp import DblpBroken, find_dtd, iter_dblp
from labscout.store import Store

SOURCE = "dblp"
CHECKPOINT_EVERY = 2000  # records between resume points


def _file_key(path: Path) -> str:
    # the resolved path, not the size: a file fetched again after a cut resumes
    return str(path.resolve())


def _items(store: Store, path: Path, dtd: Path, force: bool, skipped: list[str]) -> Iterator:
    key = _file_key(path)
    state = store.get_progress(SOURCE, key)
    if state and state[1] and not force:
        skipped.append(str(path))
        return
    skip = int(state[0] or 0) if state and not force else 0
    position = skip
    try:
        for position, recs in iter_dblp(path, dtd, skip):
            if isinstance(recs, ValueError):
                yield Rejected(str(path), position, f"record {position}: {recs}")
            elif recs:
                yield recs
            if position % CHECKPOINT_EVERY == 0:
                yield Checkpoint(SOURCE, key, str(position))
    except DblpBroken as exc:
        yield Checkpoint(SOURCE, key, str(exc.position))
        raise
    yield Checkpoint(SOURCE, key, str(position), done=True)


def _follow_name_merges(store: Store) -> None:
    """Authorships and identity links still naming ``dblp:name/...`` move to the person."""
    con = store.con
    pending = con.execute(
        "SELECT count(*) FROM authorships a JOIN merged_ids m "
        "ON m.entity = 'authors' AND a.author_id = m.old_id"
    ).fetchone()[0]
    if pending:
        store.apply_merges()
    for col in ("author_id", "person_id"):
        con.execute(
            f"UPDATE identity_links SET {col} = m.new_id FROM merged_ids m "
            f"WHERE m.entity = 'authors' AND identity_links.{col} = m.old_id"
        )
    con.execute("DELETE FROM identity_links WHERE author_id = person_id")


def dblp_xml(
    store: Store,
    path: str | Path,
    *,
    dtd: str | Path | None = None,
    force: bool = False,
    match: bool = True,
    batch_size: int = 2000,
    progress: Progress | None = None,
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
    p = Path(path)
    if not p.is_file():
        raise InputError(f"no such file: {p}", hint="Pass the path of dblp.xml or dblp.xml.gz.")
    dtd_path = find_dtd(p, dtd)
    skipped: list[str] = []
    items = _items(store, p, dtd_path, force, skipped)
    if match:
        items = matched(store, items, SOURCE)
    try:
        report = run_ingest(
            store,
            SOURCE,
            {"path": str(p), "dtd": str(dtd_path), "force": force, "match": match},
            items,
            batch_size=batch_size,
            progress=progress,
        )
    finally:
        _follow_name_merges(store)
    report.skipped = skipped
    return report
