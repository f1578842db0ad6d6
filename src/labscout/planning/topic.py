"""The plan's topic in words: the text its reading list is for, and the one sentence per
target on what you share with them, each a template filled with stored data."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from labscout.query import Query
from labscout.records import Work
from labscout.store import Store

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]")
MAX_TERMS = 4
"""Shared words named in the sentence."""
MAX_TEXT = 300
"""The reading list's text, built from query works' titles, stops after this many characters."""


def reading_text(store: Store, query: Query, query_works: Sequence[str]) -> str:
    """The text the reading list and the shared words use: the query's text, else the
    titles of the works that stand for the query (liked, .bib, your own), joined."""
    if query.text:
        return query.text
    titles = [w.title for w in store.get_works(list(query_works)[:5]) if w.title]
    return "; ".join(titles)[:MAX_TEXT].strip()


def shared_terms(
    query_text: str, works: Sequence[Work], tokenize: Callable[[str], list[str]]
) -> list[tuple[str, int]]:
    """Words of the query (as written, lower case) that also occur in ``works`` (title or
    abstract, compared through the lexical index's tokenizer: stop words out, stems
    matched), with how many of the works have each; in the query's order."""
    stems_of = [set(tokenize(f"{w.title}. {w.abstract or ''}")) for w in works]
    out: list[tuple[str, int]] = []
    seen: set[str] = set()
    for word in _WORD.findall(query_text):
        word = word.lower()
        stems = tokenize(word)
        if not stems or word in seen:
            continue
        seen.add(word)
        n = sum(1 for s in stems_of if stems[0] in s)
        if n:
            out.append((word, n))
    return out


def _quoted(words: Sequence[str]) -> str:
    q = [f'"{w}"' for w in words]
    return q[0] if len(q) == 1 else ", ".join(q[:-1]) + " and " + q[-1]


def _ranks(hit: Any) -> str:
    parts = []
    if hit.lexical_rank is not None:
        parts.append(f"#{hit.lexical_rank} by words")
    if hit.dense_rank is not None:
        parts.append(f"#{hit.dense_rank} by meaning")
    return " and ".join(parts) or "retrieved"


def shared_topic(
    query_text: str,
    name: str,
    works: Sequence[Work],
    closest: Any,
    tokenize: Callable[[str], list[str]],
) -> str:
    """One sentence on what the query shares with a researcher's works on the topic:
    the query's words found in them (and in how many), and their closest work with its
    ranks among the works retrieved for the query. ``closest``: a ``WorkHit``."""
    if not works or closest is None:
        return f"{name}: no work on the topic in the store to compare with"
    terms = shared_terms(query_text, works, tokenize)[:MAX_TERMS]
    head = (
        f'{name} has {len(works)} work{"s" if len(works) > 1 else ""} on your topic; '
        f'the closest is "{closest.title}" ({closest.year or "n.d."}), '
        f"{_ranks(closest)} among the works retrieved for your query"
    )
    if not terms:
        return head + "; no word of your query is in them: they match it by meaning"
    n_max = max(n for _, n in terms)
    return head + f"; they share the words {_quoted([t for t, _ in terms])} with it " + (
        f"(the most used in {n_max} of the {len(works)})"
    )
