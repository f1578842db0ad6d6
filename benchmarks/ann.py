"""Approximate vector search for large corpora: quantised usearch HNSW, memory-mapped.

Used by benchmarks/scale.py only (``labscout index --vectors usearch --quantize``
is the package's quantised index, in labscout.index.vectors); run from
``benchmarks/``, so that ``import ann`` finds it.

:class:`QuantizedIndex` implements the :class:`labscout.index.vectors.VectorIndex`
interface (``kind``, ``search``, ``len``) with usearch scalars of ``f16``
(2 bytes a dimension) or ``i8`` (1 byte a dimension, cosine kept by
per-vector scaling) instead of float32, so that the graph of 10M works of 384
dimensions fits in a few GB (the figures are in docs/benchmarks.md,
"Scale"). A saved index can be opened as a memory-mapped view: the operating
system pages in what queries touch instead of reading the whole file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from labscout.errors import IndexStateError, MissingExtraError

DTYPES = ("f32", "f16", "i8")


def _usearch_index():
    try:
        from usearch.index import Index
    except ImportError:
        raise MissingExtraError("search", "usearch") from None
    return Index


class QuantizedIndex:
    """An HNSW graph over unit vectors with quantised scalars; rows are the keys."""

    kind = "usearch-quantized"

    def __init__(self, index, live: np.ndarray | None = None) -> None:
        self.index = index
        self.live = live

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        dtype: str = "i8",
        *,
        live: np.ndarray | None = None,
        connectivity: int = 16,
        expansion_add: int = 128,
        expansion_search: int = 64,
        threads: int = 0,
        chunk: int = 100_000,
    ) -> QuantizedIndex:
        """Index the rows of ``vectors`` (row i under key i), ``chunk`` rows at a time.

        ``threads=0`` uses every core for the build.
        """
        if dtype not in DTYPES:
            raise ValueError(f"unknown dtype {dtype!r}; one of {', '.join(DTYPES)}")
        Index = _usearch_index()
        index = Index(
            ndim=int(vectors.shape[1]),
            metric="cos",
            dtype=dtype,
            connectivity=connectivity,
            expansion_add=expansion_add,
            expansion_search=expansion_search,
        )
        rows = np.arange(vectors.shape[0], dtype=np.uint64)
        if live is not None:
            rows = rows[np.asarray(live, dtype=bool)]
        for start in range(0, len(rows), chunk):
            keys = rows[start : start + chunk]
            block = np.asarray(vectors[keys.astype(np.int64)], dtype=np.float32)
            index.add(keys, block, threads=threads)
        return cls(index, live)

    def save(self, path: Path) -> None:
        self.index.save(str(path))

    @classmethod
    def load(cls, path: Path, view: bool = True, live: np.ndarray | None = None) -> QuantizedIndex:
        """Open a saved index; ``view`` memory-maps it instead of reading it into RAM."""
        Index = _usearch_index()
        if not Path(path).is_file():
            raise IndexStateError(f"the vector index {path} is missing")
        index = Index.restore(str(path), view=view)
        if index is None:
            raise IndexStateError(f"{path} is not a usearch index")
        return cls(index, live)

    def __len__(self) -> int:
        return len(self.index)

    @property
    def dtype(self) -> str:
        return str(self.index.dtype).rsplit(".", 1)[-1].lower()

    def memory_bytes(self) -> int:
        """What usearch reports the graph and vectors take."""
        return int(self.index.memory_usage)

    def search(
        self, queries: np.ndarray, k: int, threads: int = 1
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, sims)``, each ``(n_queries, <=k)``, best first; rows are -1 past the end."""
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        k = min(k, len(self.index))
        if k == 0:
            empty = np.zeros((queries.shape[0], 0))
            return empty.astype(np.int64), empty.astype(np.float32)
        matches = self.index.search(queries, k, threads=threads)
        keys = np.atleast_2d(np.asarray(matches.keys)).astype(np.int64)
        dist = np.atleast_2d(np.asarray(matches.distances, dtype=np.float32))
        counts = np.atleast_1d(np.asarray(getattr(matches, "counts", [keys.shape[1]])))
        for i, c in enumerate(counts):
            keys[i, int(c) :] = -1
        return keys, 1.0 - dist


def random_unit_vectors(n: int, dim: int = 384, seed: int = 0, chunk: int = 100_000) -> np.ndarray:
    """``n`` random unit rows (float32): a stand-in for embeddings in benchmarks."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, chunk):
        block = rng.standard_normal((min(chunk, n - start), dim), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + len(block)] = block
    return out
