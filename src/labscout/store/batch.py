"""Turn records into Arrow tables that DuckDB inserts in one statement."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

import pyarrow as pa

from labscout.records import Author, Institution, Work

_TOPIC = pa.struct([("id", pa.string()), ("display_name", pa.string()), ("score", pa.float64())])
_STRS = pa.list_(pa.string())

WORKS_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("doi", pa.string()),
        ("title", pa.string()),
        ("abstract", pa.string()),
        ("publication_year", pa.int32()),
        ("publication_date", pa.string()),
        ("type", pa.string()),
        ("language", pa.string()),
        ("cited_by_count", pa.int32()),
        ("source_id", pa.string()),
        ("venue", pa.string()),
        ("is_retracted", pa.bool_()),
        ("topics", pa.list_(_TOPIC)),
        ("concepts", pa.list_(_TOPIC)),
        ("referenced_works", _STRS),
        ("source", pa.string()),
        ("extra", pa.string()),
        ("updated_at", pa.timestamp("us")),
    ]
)

AUTHORSHIPS_SCHEMA = pa.schema(
    [
        ("work_id", pa.string()),
        ("author_id", pa.string()),
        ("author_position", pa.string()),
        ("position_index", pa.int32()),
        ("is_corresponding", pa.bool_()),
        ("raw_author_name", pa.string()),
        ("raw_affiliation_strings", _STRS),
        ("institution_ids", _STRS),
    ]
)

IDS_SCHEMA = pa.schema([("owner", pa.string()), ("scheme", pa.string()), ("value", pa.string())])

AUTHORS_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("orcid", pa.string()),
        ("display_name", pa.string()),
        ("name_variants", _STRS),
        ("works_count", pa.int32()),
        ("cited_by_count", pa.int32()),
        ("last_known_institution_ids", _STRS),
        ("source", pa.string()),
        ("is_full", pa.bool_()),
        ("updated_at", pa.timestamp("us")),
    ]
)

INSTITUTIONS_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("ror", pa.string()),
        ("display_name", pa.string()),
        ("country_code", pa.string()),
        ("type", pa.string()),
        ("lineage", _STRS),
        ("source", pa.string()),
        ("updated_at", pa.timestamp("us")),
    ]
)


def _topics(items) -> list[dict]:
    return [{"id": t.id, "display_name": t.display_name, "score": t.score} for t in items]


def works_table(works: Iterable[Work], now: datetime) -> pa.Table:
    cols: dict[str, list] = {name: [] for name in WORKS_SCHEMA.names}
    for w in works:
        cols["id"].append(w.id)
        cols["doi"].append(w.doi)
        cols["title"].append(w.title)
        cols["abstract"].append(w.abstract)
        cols["publication_year"].append(w.publication_year)
        cols["publication_date"].append(w.publication_date)
        cols["type"].append(w.type)
        cols["language"].append(w.language)
        cols["cited_by_count"].append(w.cited_by_count)
        cols["source_id"].append(w.source_id)
        cols["venue"].append(w.venue)
        cols["is_retracted"].append(w.is_retracted)
        cols["topics"].append(_topics(w.topics))
        cols["concepts"].append(_topics(w.concepts))
        cols["referenced_works"].append(list(w.referenced_works))
        cols["source"].append(w.source)
        cols["extra"].append(json.dumps(w.extra) if w.extra else None)
        cols["updated_at"].append(now)
    return pa.table(cols, schema=WORKS_SCHEMA)


def authorships_table(works: Iterable[Work]) -> pa.Table:
    cols: dict[str, list] = {name: [] for name in AUTHORSHIPS_SCHEMA.names}
    for w in works:
        seen: set[str] = set()
        for a in w.authorships:
            if a.author_id in seen:  # an author listed twice on one work counts once
                continue
            seen.add(a.author_id)
            cols["work_id"].append(w.id)
            cols["author_id"].append(a.author_id)
            cols["author_position"].append(a.author_position)
            cols["position_index"].append(a.position_index)
            cols["is_corresponding"].append(a.is_corresponding)
            cols["raw_author_name"].append(a.raw_author_name)
            cols["raw_affiliation_strings"].append(list(a.raw_affiliation_strings))
            cols["institution_ids"].append(list(a.institution_ids))
    return pa.table(cols, schema=AUTHORSHIPS_SCHEMA)


def ids_table(records: Iterable[Work | Author]) -> pa.Table:
    owner, scheme, value = [], [], []
    for r in records:
        for s, v in r.ids:
            owner.append(r.id)
            scheme.append(s)
            value.append(v)
    return pa.table({"owner": owner, "scheme": scheme, "value": value}, schema=IDS_SCHEMA)


def authors_table(authors: Iterable[Author], now: datetime) -> pa.Table:
    cols: dict[str, list] = {name: [] for name in AUTHORS_SCHEMA.names}
    for a in authors:
        cols["id"].append(a.id)
        cols["orcid"].append(a.orcid)
        cols["display_name"].append(a.display_name)
        cols["name_variants"].append(list(a.name_variants))
        cols["works_count"].append(a.works_count)
        cols["cited_by_count"].append(a.cited_by_count)
        cols["last_known_institution_ids"].append(list(a.last_known_institution_ids))
        cols["source"].append(a.source)
        cols["is_full"].append(a.is_full)
        cols["updated_at"].append(now)
    return pa.table(cols, schema=AUTHORS_SCHEMA)


def institutions_table(institutions: Iterable[Institution], now: datetime) -> pa.Table:
    cols: dict[str, list] = {name: [] for name in INSTITUTIONS_SCHEMA.names}
    for i in institutions:
        cols["id"].append(i.id)
        cols["ror"].append(i.ror)
        cols["display_name"].append(i.display_name)
        cols["country_code"].append(i.country_code)
        cols["type"].append(i.type)
        cols["lineage"].append(list(i.lineage))
        cols["source"].append(i.source)
        cols["updated_at"].append(now)
    return pa.table(cols, schema=INSTITUTIONS_SCHEMA)
