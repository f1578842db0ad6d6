"""Works already stored merged into a source's items as they pass to the store.

:func:`matched` sits between a source and the writer (see
:func:`labscout.ingest.pipeline.ingest`): it finds the stored work each
incoming work is (:mod:`labscout.ingest.matching`) and records the authors
found on shared works as identity links (:mod:`labscout.ingest.identity_links`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from labscout.errors import LabscoutError
from labscout.ingest.identity_links import AliasLinker
from labscout.ingest.matching import WorkMatcher, match_and_merge
from labscout.store import Store


def matched(store: Store, items: Iterable, source: str, chunk: int = 1000) -> Iterator:
    """Pass a source's items through, with works already stored merged into them.

    Items are buffered ``chunk`` record lists at a time (checkpoints and
    rejects keep their place), matched in one lookup, and the author aliases
    found on shared works are recorded as identity links.
    """
    record_aliases = AliasLinker(store)
    matcher = WorkMatcher(store, exclude_source=source)
    buf: list = []
    n_lists = 0

    def drain() -> Iterator:
        lists = [i for i, it in enumerate(buf) if isinstance(it, list)]
        new, aliases = match_and_merge(store, matcher, [buf[i] for i in lists])
        for i, recs in zip(lists, new, strict=True):
            buf[i] = recs
        record_aliases(aliases)
        yield from buf
        buf.clear()

    try:
        for item in items:
            buf.append(item)
            if isinstance(item, list):
                n_lists += 1
                if n_lists >= chunk:
                    yield from drain()
                    n_lists = 0
    except LabscoutError:
        yield from drain()  # what was read before a fatal error is kept, with its checkpoint
        raise
    yield from drain()
