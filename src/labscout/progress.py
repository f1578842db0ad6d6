"""Progress reporting passed into library calls: a rich bar or nothing."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Task(Protocol):
    def advance(self, n: int = 1) -> None: ...

    def set_total(self, total: int | None) -> None: ...


class Progress(Protocol):
    def task(self, description: str, total: int | None = None): ...  # context manager -> Task


class _NullTask:
    def advance(self, n: int = 1) -> None:
        pass

    def set_total(self, total: int | None) -> None:
        pass


class SilentProgress:
    """Reports nothing: the default for library calls and tests."""

    @contextmanager
    def task(self, description: str, total: int | None = None) -> Iterator[Task]:
        yield _NullTask()


class _RichTask:
    def __init__(self, bar, task_id) -> None:
        self._bar = bar
        self._id = task_id

    def advance(self, n: int = 1) -> None:
        self._bar.advance(self._id, n)

    def set_total(self, total: int | None) -> None:
        self._bar.update(self._id, total=total)


class RichProgress:
    """A rich progress bar on stderr."""

    @contextmanager
    def task(self, description: str, total: int | None = None) -> Iterator[Task]:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import (
            Progress as _Bar,
        )

        bar = _Bar(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        with bar:
            yield _RichTask(bar, bar.add_task(description, total=total))


def make_progress(quiet: bool = False) -> Progress:
    """A rich bar when stderr is a terminal and not ``quiet``; otherwise silent."""
    if quiet or not sys.stderr.isatty():
        return SilentProgress()
    return RichProgress()
