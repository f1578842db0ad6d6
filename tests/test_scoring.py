import numpy as np
import pytest

from labscout.rank.scoring import minmax, rrf_fuse, top_k_mean, weighted_fuse


def test_rrf_by_hand() -> None:
    fused = rrf_fuse([["a", "b"], ["b", "c"]], k=1)
    assert fused == pytest.approx({"a": 1 / 2, "b": 1 / 3 + 1 / 2, "c": 1 / 3})


def test_minmax_and_weighted_fuse() -> None:
    assert minmax({"a": 1, "b": 3}) == {"a": 0.0, "b": 1.0}
    assert minmax({"a": 2, "b": 2}) == {"a": 1.0, "b": 1.0}
    fused = weighted_fuse([{"a": 1, "b": 3}, {"b": 2, "c": 1}], [0.25, 0.75])
    assert fused == pytest.approx({"a": 0.0, "b": 1.0, "c": 0.0})


def test_top_k_mean() -> None:
    sims = np.array([[0.1, 0.9, 0.5, 0.7], [0.3, 0.1, 0.0, 0.0]])
    assert top_k_mean(sims, 3) == pytest.approx([0.7, (0.3 + 0.1) / 3])
    assert top_k_mean(sims, 1) == pytest.approx([0.9, 0.3])
    assert top_k_mean(np.array([[0.4, 0.2]]), 5) == pytest.approx([0.3])
