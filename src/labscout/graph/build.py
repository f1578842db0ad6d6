"""The co-author graph: built from the store's authorships, cached on disk beside the store.

Nodes are authors; an edge joins two authors who share at least one work. An
edge carries how many works they share (``n_works``), how strong the link is
(``strength``: each shared work adds ``0.5 ** (age / RECENCY_HALF_LIFE)``,
where age is years before the newest work in the store) and the year of the
latest shared work.

Works with more than ``max_authors`` authors (default
:data:`DEFAULT_MAX_AUTHORS`) add no edges: on a consortium paper with hundreds
of names, sharing the byline says nothing about knowing each other.

The edge arrays are cached in ``<store>.coauthors.npz`` keyed by
:meth:`Store.fingerprint` and the parameters, so a second run loads them
instead of querying the store; the graph library object (rustworkx by default,
chosen by measurement: see docs/benchmarks.md) is built from those arrays.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from labscout.errors import ConfigError
from labscout.graph.results import PersonRef
from labscout.progress import Progress, SilentProgress
from labscout.store import Store

DEFAULT_MAX_AUTHORS = 50
"""Works with more authors than this add no co-author edges (consortium papers)."""

RECENCY_HALF_LIFE = 5.0
"""Years after which a shared work counts half as much in an edge's strength."""

BACKENDS = ("rustworkx", "networkx")
DEFAULT_BACKEND = "rustworkx"
CACHE_VERSION = "4"  # 4: institutions by Store.current_institutions

_SEP = "\x1f"  # the unit separator: never inside an id, a name or an institution


def _pack(strings: Any) -> np.ndarray:
    """Strings as one UTF-8 byte array (far smaller than numpy's fixed-width unicode)."""
    text = _SEP.join(str(x).replace(_SEP, " ") for x in strings)
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _unpack(blob: np.ndarray, n: int) -> list[str]:
    if n == 0:
        return []
    out = blob.tobytes().decode("utf-8").split(_SEP)
    if len(out) != n:
        raise ValueError("damaged string table in the graph cache")
    return out


class RustworkxAdjacency:
    """The graph held by rustworkx; edge payloads are edge ids into the arrays."""

    name = "rustworkx"

    def __init__(self, n_nodes: int, src: np.ndarray, dst: np.ndarray) -> None:
        import rustworkx as rx

        g = rx.PyGraph(multigraph=False, node_count_hint=n_nodes, edge_count_hint=len(src))
        g.add_nodes_from(range(n_nodes))
        g.extend_from_weighted_edge_list(
            list(zip(src.tolist(), dst.tolist(), range(len(src)), strict=True))
        )
        self.graph = g

    def neighbors(self, node: int) -> Iterable[tuple[int, int]]:
        return self.graph.adj(node).items()


class NetworkxAdjacency:
    """The graph held by networkx (a dict of dicts); edge attribute ``e`` is the edge id."""

    name = "networkx"

    def __init__(self, n_nodes: int, src: np.ndarray, dst: np.ndarray) -> None:
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(range(n_nodes))
        g.add_edges_from(
            (u, v, {"e": e})
            for e, (u, v) in enumerate(zip(src.tolist(), dst.tolist(), strict=True))
        )
        self.graph = g
        self._adj = g._adj

    def neighbors(self, node: int) -> Iterator[tuple[int, int]]:
        for v, attrs in self._adj[node].items():
            yield v, attrs["e"]


_ADJACENCY = {"rustworkx": RustworkxAdjacency, "networkx": NetworkxAdjacency}


@dataclass
class CoauthorGraph:
    """Edge arrays of the co-author graph plus the library graph built over them."""

    key: str
    ids: list[str]  # node index -> author id
    src: np.ndarray  # int32, src < dst
    dst: np.ndarray
    n_works: np.ndarray  # int32
    strength: np.ndarray  # float64
    last_year: np.ndarray  # int32, -1 when unknown
    names: list[str]  # node index -> display name
    institutions: list[str]  # node index -> institution now ('' when unknown)
    work_ids: list[str]  # work index -> work id
    edge_work_ptr: np.ndarray  # int64: the works of edge e are edge_works[ptr[e]:ptr[e+1]]
    edge_works: np.ndarray  # int32 work indices, most recent first
    max_authors: int
    backend: str = DEFAULT_BACKEND
    _index: dict[str, int] | None = field(default=None, repr=False)
    _adj: Any = field(default=None, repr=False)
    _degree: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_nodes(self) -> int:
        return len(self.ids)

    @property
    def n_edges(self) -> int:
        return len(self.src)

    def index_of(self, author_id: str) -> int | None:
        if self._index is None:
            self._index = {a: i for i, a in enumerate(self.ids)}
        return self._index.get(author_id)

    @property
    def adjacency(self) -> RustworkxAdjacency | NetworkxAdjacency:
        """The library graph; built on first use (the slow part of loading)."""
        if self._adj is None:
            self._adj = _ADJACENCY[self.backend](self.n_nodes, self.src, self.dst)
        return self._adj

    def load(self) -> CoauthorGraph:
        """Build the id index and the library graph now, so queries pay nothing more."""
        self.index_of("")
        _ = self.adjacency, self.degree
        return self

    @property
    def degree(self) -> np.ndarray:
        """Co-authors of each node."""
        if self._degree is None:
            self._degree = np.bincount(np.concatenate([self.src, self.dst]), minlength=self.n_nodes)
        return self._degree

    def edge_work_ids(self, e: int, limit: int | None = None) -> list[str]:
        """Ids of the works behind edge ``e``, most recent first."""
        lo, hi = int(self.edge_work_ptr[e]), int(self.edge_work_ptr[e + 1])
        if limit is not None:
            hi = min(hi, lo + limit)
        return [self.work_ids[i] for i in self.edge_works[lo:hi].tolist()]

    def person(self, node: int) -> PersonRef:
        inst = str(self.institutions[node])
        return PersonRef(str(self.ids[node]), str(self.names[node]), inst or None)

    def edge_between(self, a: int, b: int) -> int | None:
        for v, e in self.adjacency.neighbors(a):
            if v == b:
                return e
        return None

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            np.savez(
                fh,
                key=np.array(self.key),
                sizes=np.array([len(self.ids), len(self.work_ids)]),
                ids=_pack(self.ids),
                src=self.src,
                dst=self.dst,
                n_works=self.n_works,
                strength=self.strength,
                last_year=self.last_year,
                names=_pack(self.names),
                institutions=_pack(self.institutions),
                work_ids=_pack(self.work_ids),
                edge_work_ptr=self.edge_work_ptr,
                edge_works=self.edge_works,
                max_authors=np.array(self.max_authors),
            )
        os.replace(tmp, path)

    @classmethod
    def read(cls, path: Path, backend: str = DEFAULT_BACKEND) -> CoauthorGraph:
        with np.load(path, allow_pickle=False) as z:
            n_ids, n_works = (int(x) for x in z["sizes"])
            return cls(
                key=str(z["key"]),
                ids=_unpack(z["ids"], n_ids),
                src=z["src"],
                dst=z["dst"],
                n_works=z["n_works"],
                strength=z["strength"],
                last_year=z["last_year"],
                names=_unpack(z["names"], n_ids),
                institutions=_unpack(z["institutions"], n_ids),
                work_ids=_unpack(z["work_ids"], n_works),
                edge_work_ptr=z["edge_work_ptr"],
                edge_works=z["edge_works"],
                max_authors=int(z["max_authors"]),
                backend=backend,
            )


def cache_key(store: Store, max_authors: int) -> str:
    raw = f"{CACHE_VERSION};{store.fingerprint()};max_authors={max_authors};"
    raw += f"half_life={RECENCY_HALF_LIFE}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def cache_path(store: Store) -> Path | None:
    """Where the graph of ``store`` is cached: beside the store file (none for :memory:)."""
    if store.path == ":memory:":
        return None
    return Path(store.path + ".coauthors.npz")


def edges_from_store(store: Store, max_authors: int = DEFAULT_MAX_AUTHORS) -> dict[str, Any]:
    """The graph's arrays, read by :meth:`Store.coauthor_arrays`.

    Besides the edges, they keep what answers need without another scan of the
    store: each edge's works (most recent first) and each person's name and
    institution now (:meth:`Store.current_institutions`).
    """
    return store.coauthor_arrays(max_authors, RECENCY_HALF_LIFE)


def build_graph(
    store: Store,
    max_authors: int = DEFAULT_MAX_AUTHORS,
    backend: str = DEFAULT_BACKEND,
    use_cache: bool = True,
    progress: Progress | None = None,
    save: bool = True,
) -> CoauthorGraph:
    """The co-author graph of ``store``: from the disk cache, or built afresh (the
    :class:`~labscout.core.Labscout` object keeps the one it loaded in memory).

    The returned graph is loaded (id index and library graph built), so path
    queries on it pay only for the search itself. ``save=False`` reads a fresh disk
    cache but never writes one (a read-only store: the web app writes nothing).
    """
    if max_authors < 2:
        raise ConfigError(f"max_authors must be at least 2, not {max_authors}")
    if backend not in BACKENDS:
        raise ConfigError(
            f"unknown graph backend '{backend}'", hint="Use one of: " + ", ".join(BACKENDS)
        )
    progress = progress or SilentProgress()
    key = cache_key(store, max_authors)
    path = cache_path(store)
    graph = None
    if use_cache and path is not None and path.is_file():
        try:
            graph = CoauthorGraph.read(path, backend=backend)
        except (OSError, ValueError, KeyError):
            graph = None  # a damaged cache is rebuilt
        if graph is not None and graph.key != key:
            graph = None
    if graph is None:
        with progress.task("co-author graph: edges from the store") as task:
            arrays = edges_from_store(store, max_authors)
            task.advance()
        graph = CoauthorGraph(key=key, max_authors=max_authors, backend=backend, **arrays)
        if use_cache and save and path is not None:
            with contextlib.suppress(OSError):  # a read-only folder: only not cached
                graph.save(path)
    with progress.task(f"co-author graph: loading into {backend}") as task:
        graph.load()
        task.advance()
    return graph
