"""The base install (`pip install labscout`, no extras) gives a working CLI.

A virtual environment with only the core dependencies runs `--help`, `demo --help`,
`demo` and `stats` on the demo store, `find` (lexical answers and a one-line hint, as
there is no torch), and the commands of each optional extra (embed, scale), which stop
with the `pip install 'labscout[x]'` hint and no traceback.

CI (.ci/run) builds that environment once as ``.venv-core`` and names its Python in
``LABSCOUT_CORE_PYTHON``; without it the test builds one itself with pip (minutes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE_PYTHON = os.environ.get("LABSCOUT_CORE_PYTHON")  # read before the fixtures clear it

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def core_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if CORE_PYTHON:
        return Path(CORE_PYTHON).absolute().parent
    folder = tmp_path_factory.mktemp("core") / "venv"
    venv.create(folder, with_pip=True)
    done = subprocess.run(
        [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", "-e", str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return folder / "bin"


def _env(core_bin: Path, cwd: Path) -> dict[str, str]:
    """No labscout settings of the test session (its ``fake`` embedder is not there)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABSCOUT_", "PYTHON"))}
    env["XDG_CACHE_HOME"] = str(cwd / "cache")
    env["VIRTUAL_ENV"] = str(core_bin.parent)
    return env


def _run(core_bin: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(core_bin / "labscout"), *args], cwd=cwd, env=_env(core_bin, cwd),
        capture_output=True, text=True,
    )  # fmt: skip


def test_core_install_has_no_optional_packages(core_bin: Path) -> None:
    probe = "import importlib.util as u; print([m for m in ('torch', 'ray') if u.find_spec(m)])"
    out = subprocess.run(
        [str(core_bin / "python"), "-c", probe], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", "the core environment must not carry torch or ray"
    assert Path(sys.executable).parent != core_bin


@pytest.fixture(scope="module")
def demo_dir(core_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    demo = _run(core_bin, folder, "demo", "--db", "demo.duckdb", "-q")
    assert demo.returncode == 0, demo.stderr
    assert "Traceback" not in demo.stderr
    assert "pip install 'labscout[embed]'" in demo.stderr  # lexical answers, said once
    return folder


def test_core_install_runs_the_cli(core_bin: Path, demo_dir: Path) -> None:
    for args in (["--help"], ["demo", "--help"]):
        done = _run(core_bin, demo_dir, *args)
        assert done.returncode == 0, done.stderr
        assert "Usage: labscout" in done.stdout

    stats = _run(core_bin, demo_dir, "stats", "--db", "demo.duckdb")
    assert stats.returncode == 0, stats.stderr
    assert "works" in stats.stdout and "195" in stats.stdout

    find = _run(core_bin, demo_dir, "find", "graph neural networks", "--db", "demo.duckdb",
                "--format", "json")  # fmt: skip
    assert find.returncode == 0, find.stderr
    answer = json.loads(find.stdout)
    assert answer["index"]["embedder"] == "words"
    assert answer["matches"] and answer["matches"][0]["score"] > 0
    lines = find.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'labscout[embed]'" in lines[0], find.stderr


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (["index", "--embedder", "minilm-torch"], "embed"),
        (["index", "--engine", "ray"], "scale"),
    ],
)
def test_core_install_names_the_missing_extra(
    core_bin: Path, demo_dir: Path, args: list[str], extra: str
) -> None:
    done = _run(core_bin, demo_dir, *args, "--db", "demo.duckdb", "-q")
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert f"pip install 'labscout[{extra}]'" in done.stderr


def test_core_install_serves_the_web_app(core_bin: Path, demo_dir: Path) -> None:
    probe = (
        "from starlette.testclient import TestClient\n"
        "from labscout.web import create_app\n"
        "c = TestClient(create_app('demo.duckdb', load=True))\n"
        "r = c.get('/search.json', params={'q': 'graph neural networks'})\n"
        "print(r.status_code, len(r.json()['matches']), c.get('/search?q=graph').status_code)\n"
    )
    done = subprocess.run(
        [str(core_bin / "python"), "-W", "ignore", "-c", probe], cwd=demo_dir,
        env=_env(core_bin, demo_dir), capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    status, n, page = done.stdout.split()
    assert status == "200" and int(n) > 0 and page == "200"
