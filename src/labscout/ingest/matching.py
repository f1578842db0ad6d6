"""One paper, one work: find the stored work that an incoming record is, and merge them.

Sources that carry no abstract (DBLP, conference lists) or that publish a paper
before OpenAlex links it (arXiv) describe works the store may already hold.
:class:`WorkMatcher` looks an incoming :class:`~labscout.records.Work` up, in
this order:

1. its DOI (``10.48550/arxiv.<id>`` for arXiv ids) against ``works.doi``;
2. its external ids (``arxiv``, ``dblp``, ``s2``, ...) against ``work_ids``;
3. its normalised title (accents, case, punctuation and spaces removed) plus
   its publication year (one year apart is allowed for titles of 30+
   characters: a preprint and its proceedings version).

:func:`merge_works` then keeps ONE work: the stored id, the text from whichever
record has it, the union of the external ids, and the authors of both, where
an incoming author who stands at the same place under a compatible name as a
stored one is recorded as the same person (an identity link with the work as
evidence) instead of being added twice.

The name and title keys live in :mod:`labscout.sources.names` (sources use
them too) and are re-exported here.

Lookups are batched: the keys of the stored works are read once per run into a
temporary table, and each batch of incoming works is matched in one join.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import pyarrow as pa

from labscout.records import Work
from labscout.sources.arxiv import arxiv_doi
from labscout.sources.names import names_compatible, title_key
from labscout.store import Store
from labscout.store.ingest_sql import load_match_titles, match_keys

MIN_TITLE = 12  # characters of normalised title before a title is matched at all ("Preface")
MIN_FUZZY_YEAR_TITLE = 30  # characters of normalised title before a +-1 year is allowed


# -- works -----------------------------------------------------------------


@dataclass(frozen=True)
class AuthorAlias:
    """An incoming author found at the same place on a stored work under a compatible name."""

    author_id: str  # the incoming author
    same_as: str  # the stored author
    work_id: str
    name: str | None


def merge_works(stored: Work, incoming: Work) -> tuple[Work, list[AuthorAlias]]:
    """One work from a stored one and an incoming description of the same paper."""
    aliases: list[AuthorAlias] = []
    authorships = list(stored.authorships)
    taken: set[int] = set()
    extra_pos = len(authorships)
    for a in incoming.authorships:
        hit = None
        if a.position_index < len(authorships) and names_compatible(
            authorships[a.position_index].raw_author_name, a.raw_author_name
        ):
            hit = a.position_index
        else:
            for i, s in enumerate(authorships):
                if i not in taken and names_compatible(s.raw_author_name, a.raw_author_name):
                    hit = i
                    break
        if hit is not None and hit not in taken:
            taken.add(hit)
            if authorships[hit].author_id != a.author_id:
                aliases.append(
                    AuthorAlias(
                        a.author_id, authorships[hit].author_id, stored.id, a.raw_author_name
                    )
                )
            continue
        if any(s.author_id == a.author_id for s in authorships):
            continue
        authorships.append(replace(a, position_index=extra_pos))
        extra_pos += 1
    ids = set(stored.ids) | set(incoming.ids)
    sources = list(stored.extra.get("sources") or [stored.source])
    if incoming.source not in sources:
        sources.append(incoming.source)
    merged = replace(
        stored,
        title=stored.title or incoming.title,
        abstract=stored.abstract or incoming.abstract,
        doi=stored.doi or incoming.doi,
        publication_year=stored.publication_year or incoming.publication_year,
        publication_date=stored.publication_date or incoming.publication_date,
        type=stored.type or incoming.type,
        venue=stored.venue or incoming.venue,
        authorships=tuple(authorships),
        ids=tuple(sorted(ids)),
        extra={**incoming.extra, **stored.extra, "sources": sources},
    )
    return merged, aliases


_KEYS = pa.schema(
    [("n", pa.int64()), ("kind", pa.string()), ("key", pa.string()), ("year", pa.int32())]
)


class WorkMatcher:
    """Find stored works for batches of incoming works (see the module's doc)."""

    def __init__(self, store: Store, exclude_source: str | None = None) -> None:
        self.store = store
        self.exclude_source = exclude_source
        self._loaded = False

    def _load_titles(self) -> None:
        """Read the title keys of the stored works once, into a temporary table."""
        load_match_titles(self.store, self.exclude_source, title_key)
        self._loaded = True

    def match(self, works: Iterable[Work]) -> dict[int, str]:
        """``{position in works: stored work id}`` for the works found in the store."""
        works = list(works)
        if not works:
            return {}
        if not self._loaded:
            self._load_titles()
        rows: dict[str, list] = {"n": [], "kind": [], "key": [], "year": []}

        def add(n: int, kind: str, key: str, year: int | None = None) -> None:
            rows["n"].append(n)
            rows["kind"].append(kind)
            rows["key"].append(key)
            rows["year"].append(year)

        for n, w in enumerate(works):
            if w.doi:
                add(n, "doi", w.doi.lower())
            for scheme, value in w.ids:
                add(n, f"id:{scheme}", value)  # exact: a plain equi-join stays a hash join
                if scheme == "arxiv":
                    add(n, "doi", arxiv_doi(value))
            k = title_key(w.title)
            if len(k) >= MIN_TITLE and w.publication_year:
                add(n, "title", k, w.publication_year)
        found = match_keys(
            self.store, pa.table(rows, schema=_KEYS), self.exclude_source, MIN_FUZZY_YEAR_TITLE
        )
        out: dict[int, str] = {}
        for n, wid, _ in found:
            if n not in out and wid != works[n].id:
                out[n] = wid
        return out


def match_and_merge(
    store: Store, matcher: WorkMatcher, items: list[list]
) -> tuple[list[list], list[AuthorAlias]]:
    """Replace each incoming work in ``items`` that is already stored by the merged work.

    ``items`` are record lists as sources yield them (a work first, then the
    records it names). Returns the new lists and the author aliases found.
    """
    works = [(i, recs[0]) for i, recs in enumerate(items) if recs and isinstance(recs[0], Work)]
    hits = matcher.match(w for _, w in works)
    if not hits:
        return items, []
    stored = {w.id: w for w in store.get_works(sorted(set(hits.values())))}
    out = list(items)
    aliases: list[AuthorAlias] = []
    merged_into: dict[str, Work] = {}
    for n, wid in hits.items():
        i, incoming = works[n]
        base = merged_into.get(wid) or stored.get(wid)
        if base is None:
            continue
        merged, found = merge_works(base, incoming)
        merged_into[wid] = merged
        # a name known only from this one paper adds nothing once found on the stored work
        dropped = {a.author_id for a in found if "#" in a.author_id}
        aliases.extend(a for a in found if a.author_id not in dropped)
        out[i] = [merged, *(r for r in items[i][1:] if getattr(r, "id", None) not in dropped)]
    return out, aliases
