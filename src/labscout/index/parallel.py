"""Embedding in several worker processes, one CPU thread each.

Two processes with one thread each instead of one torch process with two
threads: the earlier measurements under load found x1.6-1.8, those of issue 18
(docs/benchmarks.md, "Indexing at a laptop's pace") x0.8-1.6, no better on
average, so it is opt-in (``Embedder.embed(workers=N)``,
``build_index(embed_workers=N)``). :func:`encode_batches` hands length-sorted
batches to a pool of spawned workers, each loading the embedder by its
registered name once, and yields the raw vectors in the order of the batches,
so that the caller normalises, caches and reports progress as in one process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np

PARALLEL_MIN_TEXTS = 2000
"""Below this many texts to embed a pool is not worth starting (each worker loads the
model: a few seconds)."""

_WORKER: dict[str, object] = {}


def _init(loader: Callable[[str, str | None], object], name: str, cache_dir: str | None) -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    _WORKER["emb"] = loader(name, cache_dir)


def _encode(texts: list[str]) -> np.ndarray:
    from labscout.index.quiet import quiet_models

    emb = _WORKER["emb"]
    with quiet_models():
        return np.asarray(emb._encode(texts), dtype=np.float32)  # type: ignore[attr-defined]


def encode_batches(
    loader: Callable[[str, str | None], object],
    name: str,
    cache_dir: str | None,
    batches: list[list[str]],
    workers: int,
) -> Iterator[np.ndarray]:
    """Raw (not normalised) vectors of each batch, in order, from ``workers`` processes
    that each load the embedder registered as ``name`` with ``loader`` (a module-level
    function, such as :func:`labscout.index.embedders.get_embedder`, pickled by name)."""
    ctx = get_context("spawn")  # torch and fork do not mix
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_init, initargs=(loader, name, cache_dir)
    ) as pool:
        # a bounded window keeps memory flat and the progress bar moving
        window = 4 * workers
        pending = [pool.submit(_encode, b) for b in batches[:window]]
        nxt = len(pending)
        while pending:
            vecs = pending.pop(0).result()
            if nxt < len(batches):
                pending.append(pool.submit(_encode, batches[nxt]))
                nxt += 1
            yield vecs
