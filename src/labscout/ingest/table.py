"""Any table of papers (CSV, TSV, JSON Lines) into the store, through a column mapping."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Unpack

from labscout.ingest.paperlists import PaperListReport, PaperLists
from labscout.ingest.pipeline import ingest
from labscout.ingest.source import IngestOptions, Input, one_path
from labscout.sources.table import SOURCE, iter_table, parse_mapping
from labscout.store import Store


class Table(PaperLists):
    """A table of papers read through a column mapping (a :class:`Source`)."""

    name = SOURCE

    def __init__(self, mapping: dict[str, str], author_sep: str, match: bool = True) -> None:
        super().__init__(match)
        self.mapping = mapping
        self.author_sep = author_sep

    def inputs(self, paths: Sequence[str | Path]) -> list[Input]:
        p = one_path(paths, False)
        # read the header first, so a wrong mapping fails before a run is recorded
        rows = iter_table(p, self.mapping, self.author_sep)
        next(rows, None)
        rows.close()
        return [Input.file(p, {"mapping": self.mapping, "author_sep": self.author_sep})]

    def parameters(self) -> dict[str, Any]:
        return {"mapping": self.mapping, "author_sep": self.author_sep, **super().parameters()}

    def papers(self, store: Store, input: Input, state: dict[str, Any]) -> Iterator[Any]:
        assert input.path is not None
        at = int(state.get("at", 0))
        return iter_table(input.path, self.mapping, self.author_sep, skip_to_line=at)


def table(
    store: Store,
    path: str | Path,
    mapping: str | dict[str, str],
    *,
    author_sep: str = ";",
    match: bool = True,
    **options: Unpack[IngestOptions],
) -> PaperListReport:
    """Ingest a table of papers: ``.csv``/``.tsv``/``.jsonl`` (optionally ``.gz``).

    ``mapping`` names the file's columns for ``title`` and ``authors``
    (required) and ``abstract``, ``year``, ``venue``, ``doi``,
    ``affiliations``, ``id`` (optional), as a dict or as
    ``"title=Title,authors=Authors"``. Authors in a cell are split on
    ``author_sep``. Raises :class:`InputError` naming mapped columns the file
    lacks, before anything is written. Rows without a title or authors are
    rejected (counted with their line); affiliations that do not line up with
    the authors are left out (counted as ``dropped``). The same file with the
    same mapping is skipped once finished, unless ``force``. With ``match``, a
    paper the store already holds from another source is merged into it.
    """
    report = ingest(store, Table(parse_mapping(mapping), author_sep, match), [path], **options)
    assert isinstance(report, PaperListReport)
    return report
