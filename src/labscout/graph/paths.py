"""k shortest co-author paths from the people a user knows to a target researcher.

Ranking: fewest steps first; among paths with as many steps, the strongest
chain (the lowest sum of ``1 / (1 + strength)`` over its edges). Each edge's
search cost is ``1 + (1 / (1 + strength)) / (max_length + 1)``, which orders
paths of at most ``max_length`` steps exactly that way.

The search never walks the whole graph. Grow a ball of ``a`` levels around
the sources (reading the edges of every node expanded) and one of ``b``
levels around the target, with ``a + b = L = max_length``, always growing the
side whose next level reads fewer edges. Every edge of a path of at most
``L`` steps is then read: its edge at step ``i`` (from 0) has ``i < a``, so it
was read from the sources' side, or else ``h - i - 1 <= L - a - 1 < b`` steps
remain to the target, so it was read from the target's side. The nodes whose
distances from the sources and to the target add up to at most ``L`` form a
small corridor, and Yen's k shortest simple paths (networkx's
``shortest_simple_paths``) runs on that corridor alone. It runs
first on the corridor of the shortest paths only, then of paths one step
longer, and so on, stopping as soon as k paths are found.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

from labscout.errors import ConfigError, InputError
from labscout.graph.build import DEFAULT_BACKEND, DEFAULT_MAX_AUTHORS, CoauthorGraph, build_graph
from labscout.graph.people import describe_people, resolve_id, resolve_people
from labscout.graph.results import CoauthorPath, PathEdge, PersonRef, SharedWork
from labscout.progress import Progress
from labscout.store import Store

DEFAULT_K = 3
DEFAULT_MAX_LENGTH = 4
MAX_WORKS_PER_EDGE = 5
"""Works listed as evidence on each edge of an answer (the most recent first)."""

_SUPER = -1  # the virtual node joined to every source


@dataclass(frozen=True)
class RawPath:
    """A path as graph node indices and edge ids, before evidence is attached."""

    nodes: tuple[int, ...]
    edges: tuple[int, ...]
    cost: float


class _Ball:
    """Breadth-first levels around some nodes, grown one level at a time, keeping the
    edges of every expanded node."""

    def __init__(self, graph: CoauthorGraph, starts: Iterable[int]) -> None:
        self.graph = graph
        self.seen = set(starts)
        self.frontier = list(self.seen)
        self.edges: dict[int, tuple[int, int]] = {}
        self.levels = 0

    def next_cost(self) -> int:
        """Edges the next level would read (the frontier's total degree)."""
        return int(self.graph.degree[self.frontier].sum()) if self.frontier else 0

    def grow(self) -> None:
        adj = self.graph.adjacency
        nxt = []
        for u in self.frontier:
            for v, e in adj.neighbors(u):
                self.edges[e] = (u, v)
                if v not in self.seen:
                    self.seen.add(v)
                    nxt.append(v)
        self.frontier = nxt
        self.levels += 1


def _bfs(adj: dict[int, list[int]], starts: Iterable[int], limit: int) -> dict[int, int]:
    dist = {s: 0 for s in starts if s in adj}
    queue = deque(dist)
    while queue:
        u = queue.popleft()
        if dist[u] >= limit:
            continue
        for v in adj[u]:
            if v not in dist:
                dist[v] = dist[u] + 1
                queue.append(v)
    return dist


def _search(
    graph: CoauthorGraph,
    sources: Sequence[int],
    target: int,
    k: int,
    max_length: int,
    source_ball: _Ball | None = None,
) -> list[RawPath]:
    """Grow a ball around the sources and one around the target until their levels add
    up to ``max_length`` (the cheaper side grows first, unless ``source_ball`` is given
    already grown), then run Yen's algorithm on the corridor between them."""
    near_target = _Ball(graph, [target])
    if source_ball is None:
        source_ball = _Ball(graph, sources)
        while source_ball.levels + near_target.levels < max_length:
            if source_ball.next_cost() <= near_target.next_cost():
                source_ball.grow()
            else:
                near_target.grow()
    while source_ball.levels + near_target.levels < max_length:
        near_target.grow()
    edges = {**source_ball.edges, **near_target.edges}
    adj: dict[int, list[int]] = {}
    for u, v in edges.values():
        adj.setdefault(u, []).append(v)
        adj.setdefault(v, []).append(u)
    ds = _bfs(adj, sources, max_length)
    if target not in ds:
        return []
    dt = _bfs(adj, [target], max_length)
    # paths rank by steps first: if the corridor of paths of at most `limit` steps
    # already holds k of them, they are the answer and longer paths need no search
    found: list[RawPath] = []
    for limit in range(ds[target], max_length + 1):
        corridor = {u for u, d in ds.items() if d + dt.get(u, max_length + 1) <= limit}
        found = _yen(graph, edges, corridor, sources, target, k, limit, max_length)
        if len(found) == k:
            break
    return found


def _yen(
    graph: CoauthorGraph,
    edges: dict[int, tuple[int, int]],
    corridor: set[int],
    sources: Sequence[int],
    target: int,
    k: int,
    limit: int,
    max_length: int,
) -> list[RawPath]:
    """Yen's k shortest simple paths of at most ``limit`` steps inside ``corridor``."""
    c = nx.Graph()
    scale = 1.0 / (max_length + 1)
    strength = graph.strength
    for e, (u, v) in edges.items():
        if u in corridor and v in corridor:
            c.add_edge(u, v, cost=1.0 + scale / (1.0 + float(strength[e])), e=e)
    source_set = set(sources)
    for s in source_set & corridor:
        c.add_edge(_SUPER, s, cost=0.0, e=-1)
    found: list[RawPath] = []
    tries = 0
    for path in nx.shortest_simple_paths(c, _SUPER, target, weight="cost"):
        tries += 1
        nodes = tuple(path[1:])
        if len(nodes) - 1 > limit or tries > 50 * k + 100:
            break
        if any(n in source_set for n in nodes[1:]):
            continue  # goes through another known person: that person's own path is shorter
        eids = tuple(c.edges[a, b]["e"] for a, b in zip(nodes, nodes[1:], strict=False))
        cost = sum(1.0 / (1.0 + float(strength[e])) for e in eids)
        found.append(RawPath(nodes=nodes, edges=eids, cost=cost))
        if len(found) == k:
            break
    return found


def search_paths(
    graph: CoauthorGraph,
    sources: Sequence[str],
    targets: Sequence[str],
    k: int = DEFAULT_K,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> dict[str, list[RawPath]]:
    """The k best paths to each target as node/edge indices (no store access)."""
    if k < 1:
        raise ConfigError(f"k must be at least 1, not {k}")
    if not 1 <= max_length <= 8:
        raise ConfigError(f"max_length must be between 1 and 8, not {max_length}")
    src = [i for i in (graph.index_of(s) for s in sources) if i is not None]
    shared = None
    if src and len(targets) > 1:  # many targets: grow the sources' side once
        shared = _Ball(graph, src)
        for _ in range(max_length - max_length // 2):
            shared.grow()
    out: dict[str, list[RawPath]] = {}
    for t in targets:
        ti = graph.index_of(t)
        out[t] = [] if ti is None or not src else _search(graph, src, ti, k, max_length, shared)
    return out


def _works_by_id(store: Store, ids: list[str]) -> dict[str, SharedWork]:
    return {
        wid: SharedWork(id=wid, title=title, year=year)
        for wid, (title, year) in store.work_years(ids).items()
    }


def explain_paths(
    store: Store, graph: CoauthorGraph, raw: dict[str, list[RawPath]]
) -> dict[str, list[CoauthorPath]]:
    """Attach names, institutions and the shared works (title, year) to raw paths.

    Names, institutions and each edge's work ids come from the graph's arrays;
    one query reads the titles.
    """
    evidence = {
        e: graph.edge_work_ids(e, MAX_WORKS_PER_EDGE)
        for paths in raw.values()
        for p in paths
        for e in p.edges
    }
    works = _works_by_id(store, sorted({w for ws in evidence.values() for w in ws}))
    out: dict[str, list[CoauthorPath]] = {}
    for target, paths in raw.items():
        out[target] = []
        for p in paths:
            people = [graph.person(n) for n in p.nodes]
            edges = []
            for i, e in enumerate(p.edges):
                year = int(graph.last_year[e])
                edges.append(
                    PathEdge(
                        source=people[i],
                        target=people[i + 1],
                        n_works=int(graph.n_works[e]),
                        strength=round(float(graph.strength[e]), 4),
                        last_year=year if year >= 0 else None,
                        works=tuple(works.get(w, SharedWork(w, None, None)) for w in evidence[e]),
                    )
                )
            out[target].append(
                CoauthorPath(people=tuple(people), edges=tuple(edges), cost=round(p.cost, 4))
            )
    return out


def _check_target(sources: list[str], target: str) -> None:
    if target in sources:
        raise InputError(
            f"{target} is one of the people you know",
            hint="Give a target other than the --from people.",
        )


def reach(
    store: Store,
    sources: Sequence[str] = (),
    targets: Sequence[str] = (),
    *,
    source_orcids: Sequence[str] = (),
    source_names: Sequence[str] = (),
    k: int = 1,
    max_length: int = DEFAULT_MAX_LENGTH,
    max_authors: int = DEFAULT_MAX_AUTHORS,
    backend: str = DEFAULT_BACKEND,
    graph: CoauthorGraph | None = None,
    progress: Progress | None = None,
) -> dict[str, list[CoauthorPath]]:
    """The k best co-author paths from the known people to each of many targets.

    For ``find --reach-from``: the sources' side of the search is done once.
    A target already among the sources maps to an empty list.
    """
    graph = graph or build_graph(store, max_authors, backend=backend, progress=progress)
    src = resolve_people(store, sources, source_orcids, source_names, graph=graph)
    if not src:
        raise InputError(
            "no known people given", hint="Use --from ID, --from-orcid or --from-name."
        )
    tgt = [resolve_id(store, t) for t in targets]
    todo = [t for t in dict.fromkeys(tgt) if t not in src]
    raw = search_paths(graph, src, todo, k=k, max_length=max_length)
    found = explain_paths(store, graph, raw)
    return {t: found.get(t, []) for t in dict.fromkeys(tgt)}


def paths(
    store: Store,
    sources: Sequence[str] = (),
    target: str = "",
    *,
    source_orcids: Sequence[str] = (),
    source_names: Sequence[str] = (),
    k: int = DEFAULT_K,
    max_length: int = DEFAULT_MAX_LENGTH,
    max_authors: int = DEFAULT_MAX_AUTHORS,
    backend: str = DEFAULT_BACKEND,
    graph: CoauthorGraph | None = None,
    progress: Progress | None = None,
) -> list[CoauthorPath]:
    """The ``k`` shortest co-author paths (at most ``max_length`` steps) from any of
    the known people (ids, ORCIDs or exact names) to ``target``; [] when none exists.

    Raises NotFoundError for unknown ids and AmbiguousError for a name shared by
    several people.
    """
    if not target:
        raise InputError("no target given", hint="Use --to with the target's author id.")
    graph = graph or build_graph(store, max_authors, backend=backend, progress=progress)
    src = resolve_people(store, sources, source_orcids, source_names, graph=graph)
    if not src:
        raise InputError(
            "no known people given", hint="Use --from ID, --from-orcid or --from-name."
        )
    t = resolve_id(store, target)
    _check_target(src, t)
    raw = search_paths(graph, src, [t], k=k, max_length=max_length)
    return explain_paths(store, graph, raw)[t]


def person(store: Store, author_id: str) -> PersonRef:
    """Name and institution now of one author (for headers in the CLI and web)."""
    resolved = resolve_id(store, author_id)
    return describe_people(store, [resolved])[resolved]
