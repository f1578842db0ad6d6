"""`labscout index --engine ray`: the Ray Data path gives the plain path's index."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from labscout.errors import MissingExtraError
from labscout.store import Store

QUERIES = [
    "graph neural networks for molecules",
    "reinforcement learning in robotics",
    "medical image segmentation with deep learning",
    "large language models",
    "federated learning privacy",
]


def test_missing_ray_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    from labscout.index import ray_engine

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(MissingExtraError) as err:
        ray_engine.ray_module()
    assert "labscout[scale]" in err.value.hint


def test_shards_round_trip(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from labscout.index.ray_engine import read_shards

    vecs = np.random.default_rng(0).random((5, 3), dtype=np.float32)
    flat = pa.array(vecs.reshape(-1), type=pa.float32())
    table = pa.table(
        {
            "work_id": [f"W{i}" for i in range(5)],
            "vector": pa.FixedSizeListArray.from_arrays(flat, 3),
        }
    )
    (tmp_path / "s").mkdir()
    pq.write_table(table.slice(0, 2), tmp_path / "s" / "a.parquet")
    pq.write_table(table.slice(2), tmp_path / "s" / "b.parquet")
    ids, got = read_shards(tmp_path / "s")
    order = np.argsort(ids)
    assert sorted(ids) == [f"W{i}" for i in range(5)]
    np.testing.assert_array_equal(got[order], vecs)


@pytest.mark.slow
def test_ray_path_gives_the_plain_top10(tmp_path: Path, shared_data: Path) -> None:
    """Same store, same embedder: the same vectors and the same top-10 for each query.

    Takes a local Ray start (tens of seconds on 2 cores), hence slow.
    """
    pytest.importorskip("ray", reason="ray is not installed (pip install 'labscout[scale]')")
    pytest.importorskip("onnxruntime", reason="the packaged MiniLM needs onnxruntime")
    from labscout.index.build import SearchIndex, read_manifest
    from labscout.index.build import build_index as plain_build
    from labscout.index.ray_engine import build_index_ray

    works = json.loads((shared_data / "openalex" / "works_ml_sample.json").read_text())
    sample = tmp_path / "works.json"
    sample.write_text(json.dumps(works[:60]))
    from labscout.ingest import openalex_files

    with Store(tmp_path / "s.duckdb") as store:
        openalex_files(store, [sample])
        plain = plain_build(store, tmp_path / "plain", embedder="minilm-int8", cache=False)
        report, ray_report = build_index_ray(
            store,
            tmp_path / "ray",
            embedder="minilm-int8",
            cache_dir=tmp_path / "cache",
            workers=1,
            keep_shards=tmp_path / "shards",
        )
    assert plain.n_works == report.n_works == 60
    assert 55 <= ray_report.n_embedded <= 60 and ray_report.n_cached == 0  # distinct texts
    assert ray_report.workers == 1 and not ray_report.use_gpu
    assert list((tmp_path / "shards").glob("*.parquet"))
    a = SearchIndex(tmp_path / "plain", read_manifest(tmp_path / "plain"))
    b = SearchIndex(tmp_path / "ray", read_manifest(tmp_path / "ray"))
    assert a.work_ids == b.work_ids
    np.testing.assert_allclose(np.asarray(a.embeddings), np.asarray(b.embeddings), atol=1e-5)
    qv = a.embed_queries(QUERIES)
    rows_a, _ = a.vectors.search(qv, 10)
    rows_b, _ = b.vectors.search(qv, 10)
    for ra, rb in zip(rows_a, rows_b, strict=True):
        assert [a.work_ids[i] for i in ra] == [b.work_ids[i] for i in rb]


def test_cli_engine_choices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from labscout.cli import app

    db = tmp_path / "s.duckdb"
    Store(db).close()
    result = CliRunner().invoke(app, ["index", "--db", str(db), "--engine", "spark"])
    assert result.exit_code == 2 and "unknown engine 'spark'" in result.output
    monkeypatch.setitem(sys.modules, "ray", None)
    result = CliRunner().invoke(app, ["index", "--db", str(db), "--engine", "ray"])
    assert result.exit_code == 2 and "pip install 'labscout[scale]'" in result.output
