"""Shared fixtures: real data from ../shared (skipped cleanly when absent), fresh stores,
and the ``fake`` embedder that every test uses unless it is marked ``embed``."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from labscout.index import embedders
from labscout.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LABSCOUT_SHARED", ROOT.parent / "shared"))
DATA = SHARED / "data"
FIXTURES = Path(__file__).parent / "fixtures"

FAKE_EMBEDDER = "fake"
_WORD = re.compile(r"[a-z0-9]+")


class FakeEmbedder(embedders.Embedder):
    """Hashed word counts: each lower-cased word (a trailing plural ``s`` dropped) adds
    +1 or -1 to one of ``dim`` slots chosen by its BLAKE2 hash. Deterministic across
    processes, numpy only, so tests of the store, index and web need no torch; texts
    sharing words come out close, which is all the ranking tests need."""

    name = FAKE_EMBEDDER
    dim = 256
    max_tokens = 256
    source = "tests/conftest.py (hashed word counts, no model)"

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            words = _WORD.findall(text.lower())[: self.max_tokens]
            for w in words:
                if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
                    w = w[:-1]
                h = hashlib.blake2b(w.encode(), digest_size=8).digest()
                slot = int.from_bytes(h[:4], "little") % self.dim
                out[i, slot] += 1.0 if h[4] & 1 else -1.0
        return out


def register_fake_embedder() -> None:
    """Register ``fake`` in the embedder registry (also used by subprocesses of tests)."""
    embedders.register(FAKE_EMBEDDER, FakeEmbedder.dim, FakeEmbedder.source)(
        lambda cache_dir: FakeEmbedder()
    )


register_fake_embedder()


@pytest.fixture(scope="session", autouse=True)
def _fake_embedder_by_default() -> Iterator[None]:
    """Module and session fixtures that build an index get the fake embedder too."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LABSCOUT_EMBEDDER", FAKE_EMBEDDER)
        yield


@pytest.fixture(autouse=True)
def _offline_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch the internet, and never see the developer's settings. The
    default embedder is ``fake`` except in tests marked ``embed`` (the real model)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    for name in list(os.environ):
        if name.startswith("LABSCOUT_") and name != "LABSCOUT_SHARED":
            monkeypatch.delenv(name)
    monkeypatch.delenv("OPENALEX_API_KEY", raising=False)
    if request.node.get_closest_marker("embed") is None:
        monkeypatch.setenv("LABSCOUT_EMBEDDER", FAKE_EMBEDDER)


@pytest.fixture
def shared_data() -> Path:
    if not DATA.is_dir():
        pytest.skip(f"shared data not found at {DATA}")
    return DATA


@pytest.fixture
def store() -> Store:
    s = Store(":memory:")
    yield s
    s.close()


@pytest.fixture
def openalex_works_file(shared_data: Path) -> Path:
    return shared_data / "openalex" / "works_ml_sample.json"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled demo corpus ingested and indexed (with the fake embedder) once for the
    whole test session."""
    from labscout.demo import demo_corpus_path
    from labscout.index.build import build_index
    from labscout.ingest import openalex_files

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Store(path) as s:
        openalex_files(s, [demo_corpus_path()], force=True)
        build_index(s, embedder=FAKE_EMBEDDER, cache=False)
    return str(path)
