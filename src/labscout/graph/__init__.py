"""The co-author graph: who wrote with whom, and chains of co-authors to a target.

``paths(store, sources=[...], target=...)`` gives the k shortest co-author
paths; ``reach(store, sources=[...], targets=[...])`` does many targets at once.
"""

from labscout.graph.build import (
    DEFAULT_MAX_AUTHORS,
    RECENCY_HALF_LIFE,
    CoauthorGraph,
    build_graph,
)
from labscout.graph.paths import paths, reach, search_paths
from labscout.graph.people import describe_people, resolve_people
from labscout.graph.results import CoauthorPath, PathEdge, PersonRef, SharedWork

__all__ = [
    "DEFAULT_MAX_AUTHORS",
    "RECENCY_HALF_LIFE",
    "CoauthorGraph",
    "CoauthorPath",
    "PathEdge",
    "PersonRef",
    "SharedWork",
    "build_graph",
    "describe_people",
    "paths",
    "reach",
    "resolve_people",
    "search_paths",
]
