"""Frozen records that sources yield and the store keeps, in OpenAlex's terms.

Ids are OpenAlex ids without the URL prefix (``W2741809807``) for OpenAlex
records and ``<source>:<id>`` for other sources (``dblp:homepages/b/Bengio``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Institution:
    id: str
    display_name: str
    ror: str | None = None
    country_code: str | None = None
    type: str | None = None  # education, company, facility, government, nonprofit, ...
    lineage: tuple[str, ...] = ()
    source: str = "openalex"


@dataclass(frozen=True, slots=True)
class Author:
    id: str
    display_name: str
    orcid: str | None = None
    name_variants: tuple[str, ...] = ()
    works_count: int | None = None
    cited_by_count: int | None = None
    last_known_institution_ids: tuple[str, ...] = ()
    ids: tuple[tuple[str, str], ...] = ()  # (scheme, value): dblp, s2, openreview, ...
    source: str = "openalex"
    # True when the record is complete (an Author entity), False when it was
    # only seen as an author of a work: a partial record never overwrites a full one.
    is_full: bool = False


@dataclass(frozen=True, slots=True)
class Authorship:
    author_id: str
    author_position: str = "middle"  # first, middle, last
    position_index: int = 0
    is_corresponding: bool = False
    raw_author_name: str | None = None
    raw_affiliation_strings: tuple[str, ...] = ()
    institution_ids: tuple[str, ...] = ()  # institutions at the time of the paper


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    display_name: str
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Work:
    id: str
    title: str
    abstract: str | None = None
    doi: str | None = None
    publication_year: int | None = None
    publication_date: str | None = None
    type: str | None = None
    language: str | None = None
    cited_by_count: int | None = None
    source_id: str | None = None
    venue: str | None = None
    is_retracted: bool = False
    topics: tuple[Topic, ...] = ()
    concepts: tuple[Topic, ...] = ()
    referenced_works: tuple[str, ...] = ()
    authorships: tuple[Authorship, ...] = ()
    ids: tuple[tuple[str, str], ...] = ()  # (scheme, value): arxiv, dblp, s2, pmid, ...
    source: str = "openalex"
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class MergedId:
    """An id that OpenAlex merged into another (the surviving id)."""

    entity: str  # works, authors, institutions
    old_id: str
    new_id: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record a source could not read: counted and reported, never fatal."""

    location: str  # file path or URL
    line: int | None
    reason: str


Record = Work | Author | Institution | MergedId | Rejected
