"""Any table of papers (CSV or JSON Lines) into records, through a column mapping.

A committee's submission export or a lab's publication list rarely shares a
schema, so the user names the columns: ``title=Title,authors=Author,...``
(:func:`parse_mapping`). ``title`` and ``authors`` are required; ``abstract``,
``year``, ``venue``, ``doi``, ``affiliations`` and ``id`` are optional.

- Authors in one cell are split on ``author_sep`` (default ``;``); a JSON
  Lines value may also be a list of names.
- ``affiliations`` holds one affiliation per author, split on the same
  separator, in the same order; a cell with one author takes every
  affiliation in its row. When the counts differ otherwise, the paper is kept
  without those affiliations and a
  :class:`~labscout.sources.paperlists.Dropped` says where.
- Consecutive rows with the same title, year and venue are one paper whose
  authors are the rows' authors in order (tables with one row per author,
  such as ``Conference,Year,Title,Author,Affiliation``).

Works get ``table:<file stem>:<id>`` (the ``id`` column, else a hash of title
and year); authors ``table:<normalised name>``; institutions
``table:inst:<normalised name>`` with a type guessed by
:func:`~labscout.sources.institution_types.guess_institution_type` (no country: a
table has none).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labscout.errors import InputError
from labscout.records import Author, Authorship, Institution, Rejected, Work
from labscout.sources.guard import parsed as guarded
from labscout.sources.institution_types import guess_institution_type
from labscout.sources.jsonfiles import iter_json_records, open_text
from labscout.sources.openalex import normalize_doi
from labscout.sources.paperlists import (
    Dropped,
    author_id,
    institution_id,
    is_placeholder,
    normalize_name,
    positions,
)

SOURCE = "table"
REQUIRED = ("title", "authors")
OPTIONAL = ("abstract", "year", "venue", "doi", "affiliations", "id")
FIELDS = REQUIRED + OPTIONAL
CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz")
JSON_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".json", ".json.gz")
_SNIFF_ROWS = 100


def parse_mapping(text: str | dict[str, str]) -> dict[str, str]:
    """``"title=Title,authors=Author"`` -> ``{"title": "Title", "authors": "Author"}``.

    Raises :class:`InputError` for an unknown field or a missing required one.
    """
    if isinstance(text, dict):
        pairs = list(text.items())
    else:
        pairs = []
        for part in (p for p in text.split(",") if p.strip()):
            if "=" not in part:
                raise InputError(
                    f"bad --map entry {part.strip()!r}: expected field=Column",
                    hint="For example --map title=Title,authors=Authors,year=Year",
                )
            key, _, col = part.partition("=")
            pairs.append((key, col))
    mapping: dict[str, str] = {}
    for key, col in pairs:
        key, col = key.strip().lower(), col.strip()
        if key not in FIELDS:
            raise InputError(
                f"unknown field {key!r} in --map", hint="Fields: " + ", ".join(FIELDS) + "."
            )
        if not col:
            raise InputError(f"no column named for {key!r} in --map")
        mapping[key] = col
    missing = [f for f in REQUIRED if f not in mapping]
    if missing:
        raise InputError(
            "--map must name a column for " + " and ".join(missing),
            hint="For example --map title=Title,authors=Authors",
        )
    return mapping


def _check_columns(path: Path, columns: list[str], mapping: dict[str, str]) -> None:
    absent = [f"{col!r} (for {key})" for key, col in mapping.items() if col not in columns]
    if absent:
        raise InputError(
            f"{path}: missing column(s) " + ", ".join(absent),
            hint="Columns found: " + ", ".join(repr(c) for c in columns) + ". Fix --map.",
        )


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]] | Rejected]:
    delimiter = "\t" if ".tsv" in path.name else ","
    with open_text(path) as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
        reader = csv.DictReader(text, delimiter=delimiter)
        try:
            columns = list(reader.fieldnames or [])
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InputError(f"{path}: not a readable CSV file ({exc})") from None
        yield 0, {"__columns__": columns}
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # a cell over the size limit, a NUL byte: this row only
                # line_num still counts the rows before the one that failed
                yield Rejected(str(path), reader.line_num + 1, f"unreadable CSV row: {exc}")
                continue
            except UnicodeDecodeError as exc:
                yield Rejected(
                    str(path), reader.line_num + 1, f"not UTF-8 text after this line: {exc}"
                )
                return
            yield reader.line_num, row


def _json_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]] | Rejected]:
    for item in iter_json_records(path):
        if isinstance(item, Rejected):
            yield item
            continue
        line, data = item
        if not isinstance(data, dict):
            yield Rejected(str(path), line, f"expected a JSON object, got {type(data).__name__}")
            continue
        yield line, data


def read_rows(
    path: Path, mapping: dict[str, str]
) -> Iterator[tuple[int, dict[str, Any]] | Rejected]:
    """``(line, row)`` for each row of a CSV/TSV or JSON Lines file, after checking the columns.

    Raises :class:`InputError` naming the mapped columns the file lacks.
    """
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        rows = _csv_rows(path)
        _, head = next(rows)  # type: ignore[misc]
        _check_columns(path, head["__columns__"], mapping)
        yield from rows
        return
    if not name.endswith(JSON_SUFFIXES):
        raise InputError(
            f"{path}: not a table this reader knows",
            hint="Pass a .csv, .tsv or .jsonl file (optionally gzipped).",
        )
    seen: list[Any] = []
    columns: dict[str, None] = {}
    for item in _json_rows(path):
        if len(seen) < _SNIFF_ROWS:
            seen.append(item)
            if not isinstance(item, Rejected):
                columns.update(dict.fromkeys(item[1]))
            continue
        if seen:
            _check_columns(path, list(columns), mapping)
            yield from seen
            seen = []
        yield item
    if seen:
        _check_columns(path, list(columns), mapping)
        yield from seen


def _cell(row: dict[str, Any], mapping: dict[str, str], key: str) -> Any:
    col = mapping.get(key)
    if col is None:
        return None
    value = row.get(col)
    if isinstance(value, str):
        value = " ".join(value.split())
        return value or None
    return value


def _split_cell(value: Any, sep: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [" ".join(str(v).split()) for v in value if v is not None]
    return [" ".join(part.split()) for part in str(value).split(sep)]


def _year(value: Any) -> int | None:
    try:
        year = int(float(str(value).strip()[:4]))
    except (TypeError, ValueError, OverflowError):
        return None
    return year if 1000 <= year <= 2999 else None


@dataclass
class _Paper:
    line: int
    title: str
    year: int | None
    venue: str | None
    row: dict[str, Any]
    names: list[str] = field(default_factory=list)
    affs: list[list[str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    last_line: int = 0


def _paper_records(p: _Paper, mapping: dict[str, str], stem: str, location: str) -> list:
    names = p.names
    rid = _cell(p.row, mapping, "id")
    if rid is None:
        key = f"{normalize_name(p.title)}|{p.year or ''}"
        rid = "t" + hashlib.sha1(key.encode()).hexdigest()[:12]
    wid = f"{SOURCE}:{stem}:{rid}"
    pos = positions(len(names))
    authors: dict[str, Author] = {}
    institutions: dict[str, Institution] = {}
    authorships = []
    for j, (name, affs) in enumerate(zip(names, p.affs, strict=True)):
        aid = author_id(name, SOURCE)
        if aid is None:
            continue
        inst_ids: list[str] = []
        for aff in affs:
            iid = institution_id(aff, SOURCE)
            if iid and not is_placeholder(aff):
                kind, _rule = guess_institution_type(aff)
                institutions[iid] = Institution(id=iid, display_name=aff, type=kind, source=SOURCE)
                inst_ids.append(iid)
        authorships.append(
            Authorship(
                author_id=aid,
                author_position=pos[j],
                position_index=j,
                raw_author_name=name,
                raw_affiliation_strings=tuple(affs),
                institution_ids=tuple(dict.fromkeys(inst_ids)),
            )
        )
        authors.setdefault(aid, Author(id=aid, display_name=name, source=SOURCE))
    doi = _cell(p.row, mapping, "doi")
    abstract = _cell(p.row, mapping, "abstract")
    work = Work(
        id=wid,
        title=p.title,
        abstract=str(abstract) if abstract else None,
        doi=normalize_doi(str(doi)) if doi else None,
        publication_year=p.year,
        venue=p.venue,
        authorships=tuple(authorships),
        ids=(("table", f"{stem}:{rid}"),),
        source=SOURCE,
        extra={"file": location, "line": p.line},
    )
    return [work, *authors.values(), *institutions.values()]


def iter_table(
    path: Path, mapping: dict[str, str], author_sep: str = ";", skip_to_line: int = 0
) -> Generator[tuple[int, list] | tuple[int, list, Dropped] | Rejected, None, None]:
    """``(last line, records)`` per paper, ``(last line, records, Dropped)``, or a Rejected.

    Rows up to ``skip_to_line`` are skipped (a resume point). The line is the
    last line the paper was read from.
    """
    location = str(path)
    if not author_sep:
        raise InputError(
            "the author separator is empty", hint="Pass --author-sep with a character, e.g. ';'."
        )
    stem = path.name.split(".")[0]
    current: _Paper | None = None

    def emit(p: _Paper):
        keep = [i for i, n in enumerate(p.names) if n]
        if not keep:
            return Rejected(location, p.line, "paper without authors")
        p.names, p.affs = [p.names[i] for i in keep], [p.affs[i] for i in keep]
        records = guarded(location, p.line, _paper_records, p, mapping, stem, location)
        if isinstance(records, Rejected):
            return records
        if p.problems:
            return p.last_line, records, Dropped(location, p.line, "; ".join(p.problems))
        return p.last_line, records

    for item in read_rows(path, mapping):
        if isinstance(item, Rejected):
            yield item
            continue
        line, row = item
        if line <= skip_to_line:
            continue
        title = _cell(row, mapping, "title")
        if not title:
            if current:
                yield emit(current)
                current = None
            yield Rejected(location, line, "paper without a title")
            continue
        title = str(title)
        year = _year(_cell(row, mapping, "year"))
        venue = _cell(row, mapping, "venue")
        venue = str(venue) if venue is not None else None
        if current is None or (current.title, current.year, current.venue) != (title, year, venue):
            if current:
                yield emit(current)
            current = _Paper(line=line, title=title, year=year, venue=venue, row=row)
        current.last_line = line
        names = _split_cell(_cell(row, mapping, "authors"), author_sep)
        affs = _split_cell(_cell(row, mapping, "affiliations"), author_sep)
        if len(names) == 1 and affs:
            per_author = [[a for a in affs if a]]  # one author: every affiliation is theirs
        elif affs and len(affs) != len(names):
            current.problems.append(
                f"affiliations left out at line {line}: "
                f"{len(affs)} affiliation(s) for {len(names)} author(s)"
            )
            per_author = [[] for _ in names]
        else:
            per_author = [[a] if a else [] for a in affs] or [[] for _ in names]
        current.names.extend(names)
        current.affs.extend(per_author)
    if current:
        yield emit(current)
