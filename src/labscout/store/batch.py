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


def _offsets(lists: list) -> pa.Array:
    """Arrow list offsets for a list of sequences."""
    offsets = [0] * (len(lists) + 1)
    n = 0
    for i, x in enumerate(lists, start=1):
        n += len(x)
        offsets[i] = n
    return pa.array(offsets, pa.int32())


def _str_lists(lists: list) -> pa.Array:
    """A ``list<string>`` column from a list of string sequences, built flat (fast)."""
    flat = [v for x in lists for v in x]
    return pa.ListArray.from_arrays(_offsets(lists), pa.array(flat, pa.string()), type=_STRS)


def _topic_lists(lists: list) -> pa.Array:
    flat = [t for x in lists for t in x]
    structs = pa.StructArray.from_arrays(
        [
            pa.array([t.id for t in flat], pa.string()),
            pa.array([t.display_name for t in flat], pa.string()),
            pa.array([t.score for t in flat], pa.float64()),
        ],
        fields=list(_TOPIC),
    )
    return pa.ListArray.from_arrays(_offsets(lists), structs, type=pa.list_(_TOPIC))


def _column(values: list, type_: pa.DataType) -> pa.Array:
    return pa.array(values, type_)


def works_table(works: Iterable[Work], now: datetime) -> pa.Table:
    works = list(works)
    dumps = json.dumps
    cols = [
        [w.id for w in works],
        [w.doi for w in works],
        [w.title for w in works],
        [w.abstract for w in works],
        [w.publication_year for w in works],
        [w.publication_date for w in works],
        [w.type for w in works],
        [w.language for w in works],
        [w.cited_by_count for w in works],
        [w.source_id for w in works],
        [w.venue for w in works],
        [w.is_retracted for w in works],
    ]
    arrays = [_column(c, f.type) for c, f in zip(cols, WORKS_SCHEMA, strict=False)]
    arrays.append(_topic_lists([w.topics for w in works]))
    arrays.append(_topic_lists([w.concepts for w in works]))
    arrays.append(_str_lists([w.referenced_works for w in works]))
    arrays.append(_column([w.source for w in works], pa.string()))
    arrays.append(_column([dumps(w.extra) if w.extra else None for w in works], pa.string()))
    arrays.append(pa.repeat(pa.scalar(now, pa.timestamp("us")), len(works)))
    return pa.Table.from_arrays(arrays, schema=WORKS_SCHEMA)


def authorships_table(works: Iterable[Work]) -> pa.Table:
    work_id: list = []
    rows: list = []
    for w in works:
        ships = w.authorships
        if len({a.author_id for a in ships}) < len(ships):
            # an author listed twice on one work counts once
            seen: set[str] = set()
            ships = [a for a in ships if not (a.author_id in seen or seen.add(a.author_id))]
        rows.extend(ships)
        work_id.extend([w.id] * len(ships))
    arrays = [
        _column(work_id, pa.string()),
        _column([a.author_id for a in rows], pa.string()),
        _column([a.author_position for a in rows], pa.string()),
        _column([a.position_index for a in rows], pa.int32()),
        _column([a.is_corresponding for a in rows], pa.bool_()),
        _column([a.raw_author_name for a in rows], pa.string()),
        _str_lists([a.raw_affiliation_strings for a in rows]),
        _str_lists([a.institution_ids for a in rows]),
    ]
    return pa.Table.from_arrays(arrays, schema=AUTHORSHIPS_SCHEMA)


def ids_table(records: Iterable[Work | Author]) -> pa.Table:
    owner, scheme, value = [], [], []
    for r in records:
        for s, v in r.ids:
            owner.append(r.id)
            scheme.append(s)
            value.append(v)
    return pa.table({"owner": owner, "scheme": scheme, "value": value}, schema=IDS_SCHEMA)


def authors_table(authors: Iterable[Author], now: datetime) -> pa.Table:
    authors = list(authors)
    arrays = [
        _column([a.id for a in authors], pa.string()),
        _column([a.orcid for a in authors], pa.string()),
        _column([a.display_name for a in authors], pa.string()),
        _str_lists([a.name_variants for a in authors]),
        _column([a.works_count for a in authors], pa.int32()),
        _column([a.cited_by_count for a in authors], pa.int32()),
        _str_lists([a.last_known_institution_ids for a in authors]),
        _column([a.source for a in authors], pa.string()),
        _column([a.is_full for a in authors], pa.bool_()),
        pa.repeat(pa.scalar(now, pa.timestamp("us")), len(authors)),
    ]
    return pa.Table.from_arrays(arrays, schema=AUTHORS_SCHEMA)


def institutions_table(institutions: Iterable[Institution], now: datetime) -> pa.Table:
    insts = list(institutions)
    arrays = [
        _column([i.id for i in insts], pa.string()),
        _column([i.ror for i in insts], pa.string()),
        _column([i.display_name for i in insts], pa.string()),
        _column([i.country_code for i in insts], pa.string()),
        _column([i.type for i in insts], pa.string()),
        _str_lists([i.lineage for i in insts]),
        _column([i.source for i in insts], pa.string()),
        pa.repeat(pa.scalar(now, pa.timestamp("us")), len(insts)),
    ]
    return pa.Table.from_arrays(arrays, schema=INSTITUTIONS_SCHEMA)
