"""OpenAlex entities (API responses and snapshot lines) into records."""

from __future__ import annotations

import ast
from typing import Any

from labscout.records import Author, Authorship, Institution, Rejected, Topic, Work
from labscout.sources.guard import parsed
from labscout.sources.text import plain

_PREFIXES = ("https://openalex.org/", "http://openalex.org/", "openalex.org/")
_URL = _PREFIXES[0]
_URL_LEN = len(_URL)


def short_id(value: str | None) -> str | None:
    """``https://openalex.org/W123`` -> ``W123`` (other strings unchanged)."""
    if not value:
        return None
    if value.startswith(_URL):  # by far the most common form: checked first
        return value[_URL_LEN:]
    for p in _PREFIXES:
        if value.startswith(p):
            return value[len(p) :]
    return value


def normalize_doi(value: str | None) -> str | None:
    """Lower-case DOI without resolver prefix: ``10.1234/abc``."""
    if not value:
        return None
    v = value.strip().lower()
    for p in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if v.startswith(p):
            v = v[len(p) :]
    return v or None


def normalize_orcid(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip()
    return v.rsplit("/", 1)[-1] or None


def abstract_from_inverted_index(index: dict[str, list[int]] | None) -> str | None:
    """Rebuild plain text from OpenAlex's ``abstract_inverted_index``."""
    if not index:
        return None
    n = sum(map(len, filter(None, index.values())))
    if n == 0:
        return None
    # positions are almost always exactly 0..n-1: fill a list of that size, and
    # fall back to a sparse map when they are not
    words = [""] * n
    try:
        for word, positions in index.items():
            if positions:
                for p in positions:
                    words[p] = word
    except IndexError:
        at: dict[int, str] = {}
        for word, positions in index.items():
            if positions:
                for p in positions:
                    at[p] = word
        words = [at[p] for p in sorted(at)]
    return " ".join(filter(None, words))


# a stringified field longer than this, or nested deeper, is not read back (a hostile
# string can make ast.literal_eval use gigabytes)
MAX_LITERAL_CHARS = 1 << 20
MAX_LITERAL_DEPTH = 16


def _maybe_literal(value: Any) -> Any:
    """Some exports stringify nested fields (``"[{'id': ...}]"``); read them back."""
    if isinstance(value, str) and value[:1] in "[{(":
        if len(value) > MAX_LITERAL_CHARS or _depth(value) > MAX_LITERAL_DEPTH:
            raise ValueError("a stringified field too long or too deeply nested")
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return value
    return value


def _depth(text: str) -> int:
    """The deepest bracket nesting in ``text`` (quotes not considered: an upper bound)."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{(":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif ch in "]})":
            depth -= 1
    return deepest


def _int(value: Any) -> int | None:
    if value.__class__ is int:
        return value
    if value is None or value == "":
        return None
    if isinstance(value, str) and not value.strip().lstrip("-").replace(".", "", 1).isascii():
        raise ValueError(f"not a number: {value[:40]!r}")
    try:
        return int(float(value))
    except (TypeError, ValueError):
        if isinstance(value, str):
            raise ValueError(f"not a number: {value[:40]!r}") from None
        return None


def _sid(value: Any) -> str:
    """``short_id`` for values known to be non-empty strings, ``""`` otherwise: the hot path."""
    if value.__class__ is str and value.startswith(_URL):
        return value[_URL_LEN:]
    return short_id(value) or ""


def _topics(items: Any) -> tuple[Topic, ...]:
    if not items:
        return ()
    if items.__class__ is not list:
        items = _maybe_literal(items) or ()
    out = []
    for t in items:
        if isinstance(t, dict) and (tid := t.get("id")):
            tid = (
                tid[_URL_LEN:] if tid.__class__ is str and tid.startswith(_URL) else _sid(str(tid))
            )
            score = t.get("score")
            if score is not None and score.__class__ is not float:
                score = float(score)
            out.append(Topic(tid, plain(t.get("display_name")) or "", score))
    return tuple(out)


def _short_ids(values: list) -> tuple[str, ...]:
    """``short_id`` of each non-empty value, ``""`` for those it gives nothing for."""
    if values.__class__ is list and all(values):
        # the usual case, every value a full URL: strip them all in C, not one by one
        try:
            joined = "\x1f".join(values)
        except TypeError:
            joined = None
        if joined is not None and joined.count(_URL) == len(values):
            stripped = joined.replace(_URL, "")
            if "openalex.org/" not in stripped:
                parts = stripped.split("\x1f")
                if len(parts) == len(values):
                    return tuple(parts)
    return tuple([_sid(r) for r in values if r])


def parse_institution(d: dict[str, Any]) -> Institution:
    lineage = d.get("lineage")
    if lineage and lineage.__class__ is not list:
        lineage = _maybe_literal(lineage)
    return Institution(
        _sid(d["id"]),
        plain(d.get("display_name")) or "",
        d.get("ror") or None,
        d.get("country_code") or None,
        d.get("type") or None,
        tuple([_sid(x) for x in lineage]) if lineage else (),
    )


def parse_work(d: dict[str, Any]) -> list:
    """A Work with its authorships, plus the (partial) authors and institutions it names."""
    wid = short_id(d.get("id"))
    if not wid:
        raise ValueError("work without an id")
    authors: dict[str, Author] = {}
    institutions: dict[str, Institution] = {}
    seen_inst: dict[str, dict] = {}  # the dict each institution was parsed from
    authorships = []
    get = dict.get
    for i, a in enumerate(get(d, "authorships") or ()):
        person = a.get("author") or {}
        aid = short_id(person.get("id"))
        orcid = normalize_orcid(person.get("orcid"))
        if not aid:
            # OpenAlex lists some authors it has not identified: keep the
            # authorship (and its institutions) under an id of our own
            aid = f"orcid:{orcid}" if orcid else f"{wid}#{i + 1}"
        inst_ids = []
        for inst in a.get("institutions") or ():
            if inst and (iid := inst.get("id")):
                if seen_inst.get(iid) == inst:  # the same institution again on this work
                    inst_ids.append(institutions[_sid(iid)].id)
                    continue
                parsed = parse_institution(inst)
                seen_inst[iid] = inst
                institutions[parsed.id] = parsed
                inst_ids.append(parsed.id)
        raw = a.get("raw_affiliation_strings")
        if raw is None:
            raw = [x.get("raw_affiliation_string") for x in a.get("affiliations") or ()]
        name = a.get("raw_author_name")
        authorships.append(
            Authorship(
                aid,
                a.get("author_position") or "middle",
                i,
                bool(a.get("is_corresponding")),
                plain(name or person.get("display_name")),
                tuple([plain(x) for x in raw if x]),
                tuple(inst_ids),
            )
        )
        if aid not in authors:
            authors[aid] = Author(
                id=aid,
                display_name=plain(person.get("display_name") or name) or aid,
                orcid=orcid,
                is_full=False,
            )
    loc = get(d, "primary_location") or {}
    src = get(loc, "source") or {}
    ids = []
    for scheme, value in (get(d, "ids") or {}).items():
        if scheme in ("openalex", "doi") or not value:
            continue
        ids.append((scheme, str(value).rsplit("/", 1)[-1] if scheme == "pmid" else str(value)))
    doi = normalize_doi(get(d, "doi"))
    if doi and doi.startswith("10.48550/arxiv."):
        ids.append(("arxiv", doi.split("arxiv.", 1)[1]))
    refs = get(d, "referenced_works")
    work = Work(
        id=wid,
        title=plain(get(d, "title") or get(d, "display_name")) or "",
        abstract=plain(abstract_from_inverted_index(get(d, "abstract_inverted_index"))),
        doi=doi,
        publication_year=_int(get(d, "publication_year")),
        publication_date=get(d, "publication_date"),
        type=get(d, "type"),
        language=get(d, "language"),
        cited_by_count=_int(get(d, "cited_by_count")),
        source_id=short_id(get(src, "id")),
        venue=plain(get(src, "display_name") or get(loc, "raw_source_name")),
        is_retracted=bool(get(d, "is_retracted")),
        topics=_topics(get(d, "topics")),
        concepts=_topics(get(d, "concepts")),
        referenced_works=_short_ids(refs) if refs else (),
        authorships=tuple(authorships),
        ids=tuple(sorted(set(ids))) if ids else (),
    )
    return [work, *authors.values(), *institutions.values()]


def parse_author(d: dict[str, Any]) -> list:
    aid = short_id(d.get("id"))
    if not aid:
        raise ValueError("author without an id")
    insts = [
        parse_institution(i)
        for i in (_maybe_literal(d.get("last_known_institutions")) or ())
        if isinstance(i, dict) and i.get("id")
    ]
    if not insts and isinstance(_maybe_literal(d.get("last_known_institution")), dict):
        lki = _maybe_literal(d["last_known_institution"])
        if lki.get("id"):
            insts = [parse_institution(lki)]
    variants = _maybe_literal(d.get("display_name_alternatives")) or ()
    ids = [
        (k, str(v))
        for k, v in (_maybe_literal(d.get("ids")) or {}).items()
        if k not in ("openalex", "orcid") and v
    ]
    author = Author(
        id=aid,
        display_name=plain(d.get("display_name")) or aid,
        orcid=normalize_orcid(d.get("orcid")),
        name_variants=tuple(v for v in variants if isinstance(v, str)),
        works_count=_int(d.get("works_count")),
        cited_by_count=_int(d.get("cited_by_count")),
        last_known_institution_ids=tuple(i.id for i in insts),
        ids=tuple(ids),
        is_full=True,
    )
    return [author, *insts]


def entity_type(d: dict[str, Any]) -> str | None:
    """``works``, ``authors`` or ``institutions`` from the id's letter, else None."""
    sid = short_id(str(d.get("id") or ""))
    if not sid:
        return None
    return {"W": "works", "A": "authors", "I": "institutions"}.get(sid[:1].upper())


def parse_entity(d: Any, location: str, line: int | None) -> list | Rejected:
    """Any OpenAlex entity this store keeps, or a :class:`Rejected` saying why not."""
    if not isinstance(d, dict):
        return Rejected(location, line, f"expected a JSON object, got {type(d).__name__}")
    if not d.get("id"):
        return Rejected(location, line, "record without an id")
    kind = entity_type(d)
    if kind == "works":
        return parsed(location, line, parse_work, d)
    if kind == "authors":
        return parsed(location, line, parse_author, d)
    if kind == "institutions":
        return parsed(location, line, lambda x: [parse_institution(x)], d)
    return Rejected(location, line, f"unknown entity type for id {str(d.get('id'))[:100]!r}")
