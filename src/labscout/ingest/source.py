"""The one shape every ingest source has: a :class:`Source` read through :func:`ingest`.

A source names its resumable :class:`Input`\\ s (files, a folder, a query),
and reads one input from a resume state, yielding:

- an :class:`Item`: the records parsed from one source record, with the line
  (or record number) it came from;
- a :class:`~labscout.records.Rejected`: counted and kept in the report;
- a :class:`Resume`: the source's own resume state (a page cursor) when line
  numbers are not what it resumes from.

:func:`labscout.ingest.pipeline.ingest` does the rest for every source: it
skips inputs an earlier run finished, resumes the others, checkpoints every
``checkpoint_every`` items, merges works the store already holds, writes in
batches and reports.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypedDict, runtime_checkable

import orjson

from labscout.errors import InputError
from labscout.ingest.report import IngestReport
from labscout.progress import Progress, Task
from labscout.records import Rejected
from labscout.store import Store


def resume_key(path: Path | None, parameters: dict[str, Any] | None = None) -> str:
    """The one resume-key rule: the input's resolved path, then the parameters that change
    what is read from it (sorted JSON), joined by ``|``; a query (no path) is its parameters.

    The size of a file is not part of the key: a file fetched again after a cut
    resumes where the cut one stopped (a finished file whose size changed is
    read again, see :attr:`Input.size`).
    """
    parts = [str(path.resolve())] if path is not None else []
    if parameters:
        parts.append(orjson.dumps(parameters, option=orjson.OPT_SORT_KEYS).decode())
    return "|".join(parts)


@dataclass(frozen=True)
class Input:
    """One resumable input of a source: a file, a folder or a query."""

    label: str  # how the report names it when it is skipped
    key: str  # its resume key (:func:`resume_key`)
    path: Path | None = None
    size: int | None = None  # a file's size: a finished file whose size changed is read again

    @classmethod
    def file(cls, path: Path, parameters: dict[str, Any] | None = None) -> Input:
        return cls(str(path), resume_key(path, parameters), path, path.stat().st_size)

    @classmethod
    def folder(cls, path: Path) -> Input:
        return cls(str(path), resume_key(path), path)

    @classmethod
    def query(cls, what: str, parameters: dict[str, Any], again: str = "fetch again") -> Input:
        key = resume_key(None, parameters)
        return cls(f"{what} {key} (finished earlier; --force to {again})", key)


@dataclass(frozen=True, slots=True)
class Item:
    """The records parsed from one source record, and where it was (line or record number).

    ``records`` may be the :class:`~labscout.records.Rejected` a parser returned.
    """

    line: int
    records: list | Rejected


@dataclass(frozen=True, slots=True)
class Resume:
    """A source's own resume point: everything before it was yielded; ``state`` resumes after.

    ``done`` says the input is finished (for sources not read by line).
    """

    state: dict[str, Any]
    done: bool = False


Read = Iterator[Item | Rejected | Resume]


@runtime_checkable
class Source(Protocol):
    """What :func:`labscout.ingest.pipeline.ingest` needs from a source (see the module)."""

    @property
    def name(self) -> str:
        """The run's source name, and the resume points'."""
        ...

    @property
    def match_as(self) -> str | None:
        """Merge works already stored, except those of this source; None: do not."""
        ...

    @property
    def checkpoint_every(self) -> int | None:
        """Items between resume points; None: only at an input's end."""
        ...

    @property
    def overlap_writes(self) -> bool:
        """Read while the last batch is written (only if ``read`` does not use the store)."""
        ...

    @property
    def by_line(self) -> bool:
        """Resumes from a line (``{"at": n}``); False: from the states its Resume items give."""
        ...

    def inputs(self, paths: Sequence[str | Path]) -> list[Input]:
        """The inputs ``paths`` name; raises InputError when there are none."""
        ...

    def parameters(self) -> dict[str, Any]:
        """What the run is recorded with (besides the paths and ``force``)."""
        ...

    def read(self, store: Store, input: Input, state: dict[str, Any]) -> Read:
        """The items of ``input`` after ``state`` (``{"at": line}`` or a :class:`Resume`'s)."""
        ...

    def finish(self, store: Store, report: IngestReport | None) -> IngestReport | None:
        """Called once the run ends (``report`` None when it failed); may return a new report."""
        ...


class IngestOptions(TypedDict, total=False):
    """The keyword arguments every ingest function passes on to :func:`ingest`."""

    force: bool
    batch_size: int
    progress: Progress | None


class BaseSource:
    """Defaults for a :class:`Source`: a resume point every 500 items; works matched to
    stored ones (excluding those of ``match_source``, default the source's name) when
    ``matches`` and the caller's ``match`` say so."""

    name = ""
    matches = True
    match_as: str | None = None  # set by __init__ (sources that never match need not call it)
    match_source: str | None = None
    checkpoint_every: int | None = 500
    overlap_writes = False
    by_line = True

    def __init__(self, match: bool = True) -> None:
        self.match_as = (self.match_source or self.name) if match and self.matches else None

    def parameters(self) -> dict[str, Any]:
        return {}

    def finish(self, store: Store, report: IngestReport | None) -> IngestReport | None:
        return report


def one_path(paths: Sequence[str | Path], folder: bool, hint: str | None = None) -> Path:
    """The one file (or ``folder``) that ``paths`` names; InputError when it is not there."""
    p = Path(paths[0])
    if not (p.is_dir() if folder else p.is_file()):
        raise InputError(f"no such {'folder' if folder else 'file'}: {p}", hint=hint)
    return p


@runtime_checkable
class BulkSource(Source, Protocol):
    """A source that writes its inputs itself (with SQL in the store) instead of yielding
    records; :func:`labscout.ingest.pipeline.ingest` still decides what to skip and
    records the run. It marks each input done (:func:`labscout.ingest.pipeline.mark_done`)."""

    def load(self, store: Store, todo: list[Input], report: IngestReport, bar: Task) -> None: ...
