"""``ladder``: the institutions for a topic, in tiers, with hidden gems and stepping stones.

It joins the two halves that used to import each other: ranking institutions
(:mod:`labscout.rank.institutions`) and the stepping stones and hidden gems built on
that ranking (:mod:`labscout.rank.stepping`). docs/ladder.md explains every figure.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from typing import Any

from labscout.progress import Progress
from labscout.query import LADDER_TOP, Query
from labscout.rank.institutions import (
    LadderParams,
    LadderResult,
    SteppingStone,
    company_interns,
    ladder_matches,
    rank_institutions,
)
from labscout.rank.stepping import (
    hidden_gem_groups,
    hidden_gems,
    resolve_institution,
    stepping_stones,
)
from labscout.rank.tiers import field_prestige
from labscout.store import Store


def ladder(
    store: Store,
    query: Query | str,
    params: LadderParams | None = None,
    rank_params: Any = None,
    index: Any = None,
    index_path: str | os.PathLike[str] | None = None,
    reindex: bool = False,
    reference_year: int | None = None,
    progress: Progress | None = None,
) -> LadderResult:
    """Rank institutions for a topic, in tiers, with hidden gems and (the query's
    ``from_institution``) stepping stones. The query forms are those of
    :func:`labscout.rank.find.find`."""
    t0 = time.perf_counter()
    query = Query(text=query) if isinstance(query, str) else query
    params = params or LadderParams()
    filters = query.filters
    top = query.top_or(LADDER_TOP)
    from_institution = query.from_institution
    start = resolve_institution(store, from_institution) if from_institution else None
    found, rp = ladder_matches(store, query, params, rank_params, index, index_path, reindex,
                               progress)  # fmt: skip
    matches = list(found.matches)
    if filters.active_since is not None:
        active = filters.active_authors(store, [m.author_id for m in matches])
        matches = [m for m in matches if m.author_id in active]
    field = field_prestige(store, params.prestige_years, params.n_tiers, params.tier_method)
    ranked, tiering, tiers, lost = rank_institutions(
        store, matches, field, rp.max_works, rp.work_decay, params, filters
    )
    ref_year = reference_year or rp.reference_year or datetime.now(UTC).year
    topic = query.text or "this topic"
    gems = hidden_gems(store, matches, field, params, filters, ref_year, topic)
    stones: tuple[SteppingStone, ...] = ()
    start_info = None
    if start is not None:
        start_info, stones = stepping_stones(store, start, ranked, tiers, field, params)
    return LadderResult(
        query={**found.query, "filters": filters.to_dict(), "top": top},
        institutions=tuple(ranked[:top]),
        tiering=tiering,
        field_window=field.window,
        field_tiering=field.tiering,
        n_researchers=len(matches),
        uncredited=round(lost, 6),
        hidden_gems=gems,
        hidden_gem_groups=hidden_gem_groups(ranked, field, params, topic),
        from_institution=start_info,
        stepping_stones=stones,
        filters=filters.to_dict(),
        params={"ladder": params.to_dict(), "rank": rp.to_dict()},
        seconds=round(time.perf_counter() - t0, 4),
        interns=company_interns(store, ranked[:top], filters),
    )
