"""The torch-free embedder ``words`` (labscout.index.words) and what ``minilm`` means."""

from __future__ import annotations

import numpy as np
import pytest

from labscout.index import embedders, words


def test_words_rows_are_unit_and_lexical() -> None:
    emb = embedders.get_embedder("words")
    vecs = emb.embed(
        [
            "Graph neural networks for molecules",
            "A graph neural network predicts molecular properties",
            "Medieval monastery archives of Tuscany",
            "",
        ]
    )
    assert vecs.shape == (4, words.WORDS_DIM) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs[:3], axis=1), 1.0, atol=1e-5)
    assert not vecs[3].any()  # an empty text is a zero row
    near, far = float(vecs[0] @ vecs[1]), float(vecs[0] @ vecs[2])
    assert near > 0.3 and abs(far) < 0.1
    # stems and word pairs: "networks"/"network" match, and so does the pair "neural network"
    assert "neural network" in words.WordTerms()("Neural networks")


def test_minilm_means_words_without_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(words, "torch_embedder_installed", lambda: False)
    assert embedders.resolve("minilm") == "words"
    monkeypatch.setattr(words, "torch_embedder_installed", lambda: True)
    assert embedders.resolve("minilm") == embedders.DEFAULT_MINILM
    assert embedders.resolve("minilm-torch") == "minilm-torch"
