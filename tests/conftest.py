"""Shared fixtures: real data from ../shared (skipped cleanly when absent), fresh stores."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from labscout.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LABSCOUT_SHARED", ROOT.parent / "shared"))
DATA = SHARED / "data"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch the internet, and never see the developer's settings."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    for name in list(os.environ):
        if name.startswith("LABSCOUT_") and name != "LABSCOUT_SHARED":
            monkeypatch.delenv(name)
    monkeypatch.delenv("OPENALEX_API_KEY", raising=False)


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
    """The bundled demo corpus ingested and indexed once for the whole test session."""
    from labscout.demo import demo_corpus_path
    from labscout.index.build import build_index
    from labscout.ingest import openalex_files

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Store(path) as s:
        openalex_files(s, [demo_corpus_path()], force=True)
        build_index(s)
    return str(path)
