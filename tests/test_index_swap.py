"""Rebuilding an index under an open reader (issue 15, case 6): the new files are written
beside the old ones and swapped in, so a reader (a running `serve`) keeps answering from
the files it opened, and never dies of SIGBUS on a memory-mapped file cut short."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from labscout.index.build import build_index, load_index
from labscout.records import Authorship, Work
from labscout.store import Batch, Store

TESTS = Path(__file__).parent

# Run in a child process: before the fix the child died of SIGBUS (rc -7), which would
# have taken pytest down with it.
_CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import conftest  # registers the fake embedder
from labscout.index.build import build_index, load_index
from labscout.records import Authorship, Work
from labscout.store import Batch, Store

def works(n):
    return [Work(id=f"W{i}", title=f"graph neural networks topic{i}", abstract="message passing",
                 publication_year=2020, authorships=(Authorship(f"A{i}", "first", 0),))
            for i in range(n)]

folder = sys.argv[2] + "/shared.labscout-index"
with Store(sys.argv[2] + "/big.duckdb") as big:
    big.write(Batch(works=works(40)))
    build_index(big, folder, embedder="fake", cache=False)
    old = load_index(big, folder)
    q = old.embed_queries(["graph neural networks topic7"])
    before = (old.vectors.search(q, 5)[0].tolist(), float(old.embeddings[39].sum()))
with Store(sys.argv[2] + "/small.duckdb") as small:
    small.write(Batch(works=works(3)))
    build_index(small, folder, embedder="fake", cache=False, full=True)  # a shorter file
    new = load_index(small, folder)
after = (old.vectors.search(q, 5)[0].tolist(), float(old.embeddings[39].sum()))
print(json.dumps({"before": before, "after": after, "old_n": len(old), "new_n": len(new),
                  "old_lexical": int(old.lexical.n_docs)}))
"""


def test_a_rebuild_under_an_open_reader_keeps_the_reader_answering(tmp_path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(TESTS), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"reader died (rc {proc.returncode}): {proc.stderr[-2000:]}"
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["after"] == out["before"]  # the old reader answers as before the rebuild
    assert out["old_n"] == 40 and out["old_lexical"] == 40 and out["new_n"] == 3


def _work(i: int) -> Work:
    return Work(
        id=f"W{i}",
        title=f"protein folding number{i}",
        abstract=None,
        publication_year=2021,
        authorships=(Authorship(f"A{i}", "first", 0),),
    )


def test_an_incremental_update_leaves_the_open_reader_on_the_old_files(tmp_path) -> None:
    with Store(tmp_path / "s.duckdb") as s:
        s.write(Batch(works=[_work(i) for i in range(6)]))
        build_index(s, cache=False)
        old = load_index(s)
        snapshot = np.array(old.embeddings)
        s.write(Batch(works=[_work(i) for i in range(6, 12)]))
        report = build_index(s, cache=False)
        assert report.n_embedded == 6
        new = load_index(s)
        # the open reader still sees its own rows, the new one sees all of them
        assert len(old) == 6 and np.array_equal(np.array(old.embeddings), snapshot)
        assert len(new) == 12 and np.array_equal(np.array(new.embeddings[:6]), snapshot)
        assert not list(new.path.glob("*.tmp*")), "temporary files left behind"
