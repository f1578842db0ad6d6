"""The topic map for a :class:`~labscout.query.Query`: what ``labscout topics`` calls.

The query works are the works retrieved for the query's text
(:func:`labscout.rank.topics.query_works`: BM25 and embeddings fused, as in
``find``), the liked works (``like``, ``like_bib``) and the user's own works
(``mine``), in that order; :func:`labscout.rank.topics.topic_map` clusters
their neighbourhood. ``top`` keeps the first topics of the sorted map.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from labscout.errors import InputError
from labscout.query import Query
from labscout.rank.topics import TopicMap, TopicParams, query_works, topic_map
from labscout.store import Store

N_TEXT_WORKS = 50
"""Works retrieved for the query's text that stand for it on the map."""


def topics_for_query(
    store: Store,
    index: Any,
    query: Query | str,
    sort: str = "near",
    params: TopicParams | None = None,
    n_text_works: int = N_TEXT_WORKS,
) -> TopicMap:
    """The topics near ``query`` (text, liked works, a .bib, one's own works), sorted by
    ``sort`` (:data:`labscout.rank.topics.SORTS`), the first ``query.top`` when set."""
    from labscout.rank.find import query_work_ids

    query = Query(text=query) if isinstance(query, str) else query
    if query.empty:
        raise InputError(
            "nothing to map",
            hint='Give a text (labscout topics "graph neural networks"), --like, --like-bib '
            "or --mine.",
        )
    ids = query_works(index, query.text, n_text_works) if query.text else []
    given, unmatched, _ = query_work_ids(store, query)
    ids += [w for w in given if w not in ids]
    asked = {**query.to_dict(), "unmatched": list(unmatched)}
    got = topic_map(store, index, ids, params, sort, query=asked)
    if query.top is not None:
        got = replace(got, topics=got.topics[: query.top])
    return got
