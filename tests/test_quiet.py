"""Nothing but labscout's own lines reaches stderr: no transformers LOAD REPORT, no
model2vec or tqdm bars, no Python warnings (the CLI in a subprocess, the real model)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from labscout.index.quiet import quiet_models


def _labscout(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LABSCOUT_EMBEDDER"}
    env["XDG_CACHE_HOME"] = str(cwd / "cache")
    return subprocess.run(
        [sys.executable, "-m", "labscout", *args], cwd=cwd, env=env, capture_output=True,
        text=True,
    )  # fmt: skip


@pytest.mark.embed
@pytest.mark.slow
def test_find_and_index_leave_stderr_empty(tmp_path: Path) -> None:
    demo = _labscout(tmp_path, "demo", "--db", "d.duckdb", "-q")
    assert demo.returncode == 0, demo.stderr
    find = _labscout(tmp_path, "find", "graph neural networks", "--db", "d.duckdb", "-n", "3")
    assert find.returncode == 0, find.stderr
    assert "score" in find.stdout
    assert find.stderr == ""
    index = _labscout(tmp_path, "index", "-q", "--full", "--db", "d.duckdb")
    assert index.returncode == 0, index.stderr
    assert "minilm" in index.stdout
    assert index.stderr == ""


def test_quiet_models_mutes_warnings_and_library_loggers(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    import io
    import logging
    import warnings

    from tqdm import tqdm

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with quiet_models():
            warnings.warn("a library's warning", UserWarning, stacklevel=1)
            logging.getLogger("transformers.modeling_utils").warning("LOAD REPORT")
            with quiet_models():  # nested, as in a server's threads
                assert tqdm(range(3), file=sys.stderr).disable
            bar = tqdm(range(3), file=sys.stderr)  # tqdm imported long before: still off
            assert bar.disable
            list(bar)
    assert seen == []
    assert not tqdm(range(3), disable=False, file=io.StringIO()).disable  # bars are back
    assert "LOAD REPORT" not in caplog.text
    assert capsys.readouterr().err == ""
    logging.getLogger("labscout").warning("ours")  # labscout's own lines still pass
    assert "ours" in caplog.text
