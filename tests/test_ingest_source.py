"""The one ingest shape: a Source read through ingest(), and the one resume-key rule."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from labscout.errors import InputError
from labscout.ingest import BaseSource, Input, Item, Source, ingest, openalex_files, resume_key
from labscout.ingest.arxiv import ArxivSnapshot
from labscout.ingest.dblp import DblpXml
from labscout.ingest.openalex import OpenAlexFiles
from labscout.ingest.openreview import OpenReviewArchives
from labscout.ingest.paperlists import PaperLists
from labscout.ingest.s2 import S2Files
from labscout.ingest.snapshot import OpenAlexSnapshot, SnapshotFilter
from labscout.ingest.table import Table
from labscout.records import Rejected, Work
from labscout.store import Store


@pytest.fixture
def store():
    with Store(":memory:") as s:
        yield s


def test_resume_key_is_path_then_parameters(tmp_path: Path) -> None:
    f = tmp_path / "a.jsonl"
    f.write_text("{}\n")
    key = resume_key(f)
    f.write_text("{}\n{}\n")  # the size is not part of the key
    assert resume_key(f) == key == str(f.resolve())
    with_map = resume_key(f, {"mapping": {"title": "T"}, "author_sep": ";"})
    assert with_map.startswith(key + "|") and with_map != key
    # parameters are sorted: the same mapping in another order is the same key
    assert resume_key(f, {"author_sep": ";", "mapping": {"title": "T"}}) == with_map
    assert resume_key(None, {"b": 1, "a": None}) == '{"a":null,"b":1}'


def test_every_ingest_source_has_the_shape() -> None:
    sources = [
        OpenAlexFiles(),
        DblpXml(),
        ArxivSnapshot(),
        S2Files(),
        OpenReviewArchives(),
        PaperLists(),
        Table({"title": "t", "authors": "a"}, ";"),
        OpenAlexSnapshot(SnapshotFilter()),
    ]
    for s in sources:
        assert isinstance(s, Source), type(s).__name__
    assert OpenAlexFiles().match_as is None  # OpenAlex is what others are matched against
    assert S2Files().match_as == "s2" and S2Files(match=False).match_as is None
    assert ArxivSnapshot().match_as == "arxiv"


class _Lines(BaseSource):
    """Test source: each line of a text file is a work; ``stop_at`` raises there."""

    name = "test-lines"
    matches = False
    checkpoint_every = 3

    def __init__(self, stop_at: int | None = None) -> None:
        super().__init__()
        self.stop_at = stop_at

    def inputs(self, paths: Sequence[str | Path]) -> list[Input]:
        return [Input.file(Path(p)) for p in paths]

    def read(self, store: Store, input: Input, state: dict[str, Any]):
        assert input.path is not None
        start = int(state.get("at", 0))
        for n, text in enumerate(input.path.read_text().splitlines(), start=1):
            if n <= start:
                continue
            if n == self.stop_at:
                raise InputError(f"stopped at line {n}")
            if not text:
                yield Rejected(str(input.path), n, "empty line")
                continue
            # two items on one line: a resume point never falls between them
            yield Item(n, [Work(id=f"W{n}", title=text, source="test")])
            yield Item(n, [Work(id=f"W{n}b", title=text, source="test")])


def test_ingest_resumes_after_the_last_resume_point(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "lines.txt"
    f.write_text("\n".join(f"title {i}" if i != 4 else "" for i in range(1, 11)) + "\n")
    with pytest.raises(InputError):
        ingest(store, _Lines(stop_at=8), [f], batch_size=1)
    # what was read before the error is kept: lines 1-7 but the rejected 4, two works a line
    assert store.counts()["works"] == 12
    again = ingest(store, _Lines(), [f], batch_size=1)
    # resume points fall every 3 items but never inside a line: the last was after line 5,
    # so lines 6-10 are read again (6 and 7 rewrite what is stored), not lines 1-10
    assert again.read == 10
    assert again.counts.works_inserted == 6 and again.counts.works_updated == 4
    assert store.counts()["works"] == 18
    done = ingest(store, _Lines(), [f])
    assert done.read == 0 and done.skipped == [str(f)]


def test_finished_file_whose_size_changed_is_read_again(
    store: Store, tmp_path: Path, openalex_works_file: Path
) -> None:
    works = json.loads(openalex_works_file.read_text())
    f = tmp_path / "works.jsonl"
    f.write_text("".join(json.dumps(w) + "\n" for w in works[:10]))
    first = openalex_files(store, [f])
    assert first.read == 10
    assert openalex_files(store, [f]).skipped == [str(f)]
    f.write_text("".join(json.dumps(w) + "\n" for w in works[:20]))
    again = openalex_files(store, [f])
    assert again.skipped == [] and again.read == 20
    assert store.counts()["works"] == 20
