"""k shortest co-author paths from the people a user knows to a target researcher.

Ranking: fewest steps first; among paths with as many steps, the strongest
chain (the lowest sum of ``1 / (1 + strength)`` over its edges). Each edge's
search cost is ``1 + (1 / (1 + strength)) / (max_length + 1)``, which orders
paths of at most ``max_length`` steps exactly that way.

The search never walks the whole graph. Every edge of a path of at most
``L = max_length`` steps lies within ``ceil(L/2) - 1`` steps of a source or
within ``floor(L/2) - 1`` steps of the target (an edge at step ``i`` of an
``h``-step path with ``i >= ceil(L/2)`` has ``h - i - 1 < floor(L/2)`` steps
left), so expanding those two small balls in the big graph collects every
candidate edge. The nodes whose distances from the sources and to the target
add up to at most ``L`` form a small corridor, and Yen's k shortest simple
paths (networkx's ``shortest_simple_paths``) runs on that corridor alone.
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


def _expand(graph: CoauthorGraph, starts: Iterable[int], depth: int) -> dict[int, tuple[int, int]]:
    """Edges (id -> endpoints) incident to nodes within ``depth - 1`` steps of ``starts``."""
    adj = graph.adjacency
    seen = set(starts)
    frontier = list(seen)
    edges: dict[int, tuple[int, int]] = {}
    for _ in range(depth):
        nxt = []
        for u in frontier:
            for v, e in adj.neighbors(u):
                edges[e] = (u, v)
                if v not in seen:
                    seen.add(v)
                    nxt.append(v)
        frontier = nxt
    return edges


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
    source_edges: dict[int, tuple[int, int]],
) -> list[RawPath]:
    near_target = _expand(graph, [target], max_length // 2)
    edges = {**source_edges, **near_target}
    adj: dict[int, list[int]] = {}
    for u, v in edges.values():
        adj.setdefault(u, []).append(v)
        adj.setdefault(v, []).append(u)
    ds = _bfs(adj, sources, max_length)
    dt = _bfs(adj, [target], max_length)
    corridor = {u for u, d in ds.items() if d + dt.get(u, max_length + 1) <= max_length}
    if target not in corridor:
        return []
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
        if len(nodes) - 1 > max_length or tries > 50 * k + 100:
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
    source_edges = _expand(graph, src, max_length - max_length // 2) if src else {}
    out: dict[str, list[RawPath]] = {}
    for t in targets:
        ti = graph.index_of(t)
        out[t] = (
            [] if ti is None or not src else _search(graph, src, ti, k, max_length, source_edges)
        )
    return out


def _works_by_id(store: Store, ids: list[str]) -> dict[str, SharedWork]:
    if not ids:
        return {}
    rows = store.con.execute(
        "SELECT id, title, publication_year FROM works WHERE id IN (SELECT unnest($ids))",
        {"ids": ids},
    ).fetchall()
    return {r[0]: SharedWork(id=r[0], title=r[1], year=r[2]) for r in rows}


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
    src = resolve_people(store, sources, source_orcids, source_names)
    if not src:
        raise InputError(
            "no known people given", hint="Use --from ID, --from-orcid or --from-name."
        )
    tgt = [resolve_id(store, t) for t in targets]
    graph = graph or build_graph(store, max_authors, backend=backend, progress=progress)
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
    src = resolve_people(store, sources, source_orcids, source_names)
    if not src:
        raise InputError(
            "no known people given", hint="Use --from ID, --from-orcid or --from-name."
        )
    t = resolve_id(store, target)
    _check_target(src, t)
    graph = graph or build_graph(store, max_authors, backend=backend, progress=progress)
    raw = search_paths(graph, src, [t], k=k, max_length=max_length)
    return explain_paths(store, graph, raw)[t]


def person(store: Store, author_id: str) -> PersonRef:
    """Name and institution now of one author (for headers in the CLI and web)."""
    resolved = resolve_id(store, author_id)
    return describe_people(store, [resolved])[resolved]
