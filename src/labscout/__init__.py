"""labscout: find who works on exactly your topic, from open scholarly data.

The public API, loaded on first use (so that ``import labscout.records`` stays light):

- :class:`Labscout`: the core object over one store (``Labscout("labscout.duckdb")``),
  with ``find``, ``ladder``, ``read``, ``researcher``, ``paths`` and ``institution``;
  :class:`Query`: what to search for, parsed once; :func:`to_json`: the JSON every
  interface gives for a result (also ``result.to_json()``).
- :func:`find` -> :class:`FindResult`: rank researchers for a query, with evidence.
- :func:`build_index`: build or update the search indexes beside a store.
- :func:`ladder` -> :class:`LadderResult`: institutions for a topic in tiers (docs/ladder.md);
  :func:`reading_list` -> :class:`ReadingList`; :func:`researcher_profile` ->
  :class:`ResearcherProfile`; :class:`Filters` for ``find`` and ``ladder``.
- :func:`paths` / :func:`reach` -> :class:`CoauthorPath`: co-author chains to a researcher;
  :func:`find_conflicts` -> :class:`ConflictReport`, :func:`assign` -> :class:`Assignment`.
- :func:`resolve_person` -> :class:`Person`: who an author id, ORCID, profile URL or name is.
- :func:`plan` -> :class:`Plan`: reach, match and safer targets, internships, what to read
  (docs/plan.md); also ``Labscout.plan``.
- :func:`scout` -> :class:`ScoutResult`: a topic fetched from the OpenAlex API, indexed,
  and answered (find, ladder, reading list) in one call.
- :class:`Store`, :class:`RankParams`, and the result types.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Labscout": "labscout.core",
    "InstitutionView": "labscout.core",
    "Query": "labscout.query",
    "to_json": "labscout.results",
    "Settings": "labscout.settings",
    "Store": "labscout.store",
    "find": "labscout.rank.find",
    "build_index": "labscout.index.build",
    "load_index": "labscout.index.build",
    "RankParams": "labscout.rank.params",
    "FindResult": "labscout.results",
    "ResearcherMatch": "labscout.results",
    "Evidence": "labscout.results",
    "WorkHit": "labscout.results",
    "ladder": "labscout.rank.ladder",
    "LadderResult": "labscout.rank.institutions",
    "LadderParams": "labscout.rank.institutions",
    "reading_list": "labscout.rank.reading",
    "ReadingList": "labscout.rank.reading",
    "researcher_profile": "labscout.signals",
    "ResearcherProfile": "labscout.signals",
    "Filters": "labscout.filters",
    "paths": "labscout.graph",
    "reach": "labscout.graph",
    "CoauthorPath": "labscout.graph",
    "PathEdge": "labscout.graph",
    "assign": "labscout.committee",
    "Assignment": "labscout.committee",
    "find_conflicts": "labscout.committee",
    "ConflictReport": "labscout.committee",
    "resolve_person": "labscout.people",
    "Person": "labscout.people",
    "plan": "labscout.planning",
    "scout": "labscout.scout",
    "ScoutResult": "labscout.scout",
    "Plan": "labscout.planning",
    "PlanParams": "labscout.planning",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'labscout' has no attribute {name!r}")
