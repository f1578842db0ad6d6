"""Dense vectors: the embedding file and the nearest-neighbour search behind one interface.

Embeddings live in one raw row-major file (``embeddings.f32`` or
``embeddings.f16``), row i being the i-th work of the index, so that new
works are appended without embedding again what is there. An update writes the
new file beside the old one and renames it over it, so that a reader holding
the old file memory-mapped keeps its rows. Search goes through
:class:`VectorIndex`: exact numpy search below ``EXACT_LIMIT`` rows (exact and
fast enough there), a usearch HNSW graph above it. Any other backend
(quantised usearch, faiss) only has to implement ``search``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Protocol

import numpy as np

from labscout.errors import IndexStateError, MissingExtraError

EXACT_LIMIT = 50_000
"""Below this many rows the exact (brute-force) search is used."""

DTYPES = {"float32": (np.float32, "f32"), "float16": (np.float16, "f16")}


def embeddings_file(folder: Path, dtype: str) -> Path:
    return folder / f"embeddings.{DTYPES[dtype][1]}"


def read_embeddings(folder: Path, dtype: str, n_rows: int, dim: int) -> np.ndarray:
    """The first ``n_rows`` rows of the embedding file as a read-only array."""
    path = embeddings_file(folder, dtype)
    if n_rows == 0:
        return np.zeros((0, dim), dtype=DTYPES[dtype][0])
    if (
        not path.is_file()
        or path.stat().st_size < n_rows * dim * np.dtype(DTYPES[dtype][0]).itemsize
    ):
        raise IndexStateError(f"the embedding file {path} is missing or shorter than its manifest")
    return np.memmap(path, dtype=DTYPES[dtype][0], mode="r", shape=(n_rows, dim))


def write_embeddings(
    folder: Path,
    dtype: str,
    dim: int,
    n_kept: int,
    new_rows: np.ndarray,
    changed: dict[int, np.ndarray],
) -> None:
    """Keep the first ``n_kept`` rows, overwrite ``changed`` rows, append ``new_rows``.

    The result is written to a new file beside the old one and renamed over it: a
    reader that memory-mapped the old file (a running ``serve``) keeps reading the
    old rows, and is never cut short under its mapping (SIGBUS).
    """
    path = embeddings_file(folder, dtype)
    np_dtype = DTYPES[dtype][0]
    row_bytes = dim * np.dtype(np_dtype).itemsize
    tmp = path.with_name(path.name + ".tmp")
    keep = bool(n_kept) and path.exists()
    if keep:
        shutil.copyfile(path, tmp)  # in the kernel (copy_file_range/sendfile) on Linux
    with open(tmp, "r+b" if keep else "w+b") as f:
        f.truncate(n_kept * row_bytes)  # drops rows a crashed run appended past the manifest
        for row, vec in changed.items():
            f.seek(row * row_bytes)
            f.write(np.ascontiguousarray(vec, dtype=np_dtype).tobytes())
        f.seek(n_kept * row_bytes)
        f.write(np.ascontiguousarray(new_rows, dtype=np_dtype).tobytes())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class VectorIndex(Protocol):
    """Nearest rows by cosine similarity (the rows are unit vectors)."""

    kind: str

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, sims)``, each ``(n_queries, <=k)``, best first; rows are -1 past the end."""
        ...

    def __len__(self) -> int: ...


class ExactIndex:
    """Brute-force inner products: exact, no build step."""

    kind = "exact"

    def __init__(self, vectors: np.ndarray, live: np.ndarray | None = None) -> None:
        self.vectors = vectors
        self.live = live

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    def similarities(self, queries: np.ndarray) -> np.ndarray:
        """``(n_queries, n_rows)`` cosine similarities; removed rows get -inf."""
        sims = np.asarray(queries, dtype=np.float32) @ np.asarray(self.vectors, np.float32).T
        if self.live is not None:
            sims[:, ~self.live] = -np.inf
        return sims

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        sims = self.similarities(np.atleast_2d(queries))
        return top_k_rows(sims, k)


def top_k_rows(sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best columns of each row of ``sims``, best first (-inf never returned)."""
    n = sims.shape[1]
    k = min(k, n)
    if k == 0:
        empty = np.zeros((sims.shape[0], 0))
        return empty.astype(np.int64), empty.astype(np.float32)
    part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(sims, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    rows = np.take_along_axis(part, order, axis=1).astype(np.int64)
    vals = np.take_along_axis(vals, order, axis=1)
    rows[~np.isfinite(vals)] = -1
    return rows, vals.astype(np.float32)


class USearchIndex:
    """An HNSW graph from usearch; ``dtype`` f32, f16 or i8 (quantised) trades recall for size."""

    kind = "usearch"

    def __init__(self, index, live: np.ndarray | None = None) -> None:
        self.index = index
        self.live = live

    @staticmethod
    def _module():
        try:
            from usearch.index import Index
        except ImportError:
            raise MissingExtraError("search", "usearch") from None
        return Index

    @classmethod
    def build(
        cls, vectors: np.ndarray, live: np.ndarray | None = None, dtype: str = "f32"
    ) -> USearchIndex:
        Index = cls._module()
        index = Index(ndim=vectors.shape[1], metric="cos", dtype=dtype)
        rows = np.arange(vectors.shape[0], dtype=np.uint64)
        if live is not None:
            rows = rows[live]
        if len(rows):
            index.add(rows, np.asarray(vectors[rows.astype(np.int64)], dtype=np.float32))
        return cls(index, live)

    def add(self, rows: np.ndarray, vectors: np.ndarray) -> None:
        for r in rows:
            if int(r) in self.index:
                self.index.remove(int(r))
        self.index.add(np.asarray(rows, np.uint64), np.asarray(vectors, np.float32))

    def remove(self, rows: np.ndarray) -> None:
        for r in rows:
            if int(r) in self.index:
                self.index.remove(int(r))

    def __len__(self) -> int:
        return len(self.index)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        k = min(k, len(self.index))
        if k == 0:
            empty = np.zeros((queries.shape[0], 0))
            return empty.astype(np.int64), empty.astype(np.float32)
        matches = self.index.search(queries, k)
        keys = np.atleast_2d(np.asarray(matches.keys)).astype(np.int64)
        dist = np.atleast_2d(np.asarray(matches.distances, dtype=np.float32))
        if hasattr(matches, "counts"):  # BatchMatches
            counts = np.atleast_1d(np.asarray(matches.counts))
        else:  # one query gives Matches, already cut to what was found
            counts = np.asarray([keys.shape[1]])
        for i, c in enumerate(counts):
            keys[i, c:] = -1
        return keys, 1.0 - dist

    def save(self, path: Path) -> None:
        """Saved beside ``path`` and renamed over it (an open reader keeps its copy)."""
        tmp = path.with_name(path.name + ".tmp")
        self.index.save(str(tmp))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, live: np.ndarray | None = None) -> USearchIndex:
        Index = cls._module()
        if not path.is_file():
            raise IndexStateError(f"the vector index {path} is missing")
        return cls(Index.restore(str(path)), live)


def choose_kind(n_rows: int, kind: str = "auto") -> str:
    """``exact`` below :data:`EXACT_LIMIT` rows, ``usearch`` above, unless ``kind`` says."""
    if kind not in {"auto", "exact", "usearch"}:
        raise ValueError(f"unknown vector index kind {kind!r}")
    if kind != "auto":
        return kind
    return "exact" if n_rows < EXACT_LIMIT else "usearch"
