"""OpenAlex entities (API responses and snapshot lines) into records."""

from __future__ import annotations

import ast
from typing import Any

from labscout.records import Author, Authorship, Institution, Rejected, Topic, Work

_PREFIXES = ("https://openalex.org/", "http://openalex.org/", "openalex.org/")


def short_id(value: str | None) -> str | None:
    """``https://openalex.org/W123`` -> ``W123`` (other strings unchanged)."""
    if not value:
        return None
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
    size = 0
    for positions in index.values():
        if positions:
            size = max(size, max(positions) + 1)
    if size == 0:
        return None
    words = [""] * size
    for word, positions in index.items():
        for p in positions:
            words[p] = word
    return " ".join(w for w in words if w)


def _maybe_literal(value: Any) -> Any:
    """Some exports stringify nested fields (``"[{'id': ...}]"``); read them back."""
    if isinstance(value, str) and value[:1] in "[{(":
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
    return value


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _topics(items: Any) -> tuple[Topic, ...]:
    out = []
    for t in _maybe_literal(items) or ():
        if isinstance(t, dict) and t.get("id"):
            score = t.get("score")
            out.append(
                Topic(
                    id=short_id(str(t["id"])) or "",
                    display_name=t.get("display_name") or "",
                    score=float(score) if score is not None else None,
                )
            )
    return tuple(out)


def parse_institution(d: dict[str, Any]) -> Institution:
    return Institution(
        id=short_id(d["id"]) or "",
        display_name=d.get("display_name") or "",
        ror=(d.get("ror") or None),
        country_code=d.get("country_code") or None,
        type=d.get("type") or None,
        lineage=tuple(short_id(x) or "" for x in (_maybe_literal(d.get("lineage")) or ())),
    )


def parse_work(d: dict[str, Any]) -> list:
    """A Work with its authorships, plus the (partial) authors and institutions it names."""
    wid = short_id(d.get("id"))
    if not wid:
        raise ValueError("work without an id")
    authors: dict[str, Author] = {}
    institutions: dict[str, Institution] = {}
    authorships = []
    for i, a in enumerate(d.get("authorships") or ()):
        person = a.get("author") or {}
        aid = short_id(person.get("id"))
        orcid = normalize_orcid(person.get("orcid"))
        if not aid:
            # OpenAlex lists some authors it has not identified: keep the
            # authorship (and its institutions) under an id of our own
            aid = f"orcid:{orcid}" if orcid else f"{wid}#{i + 1}"
        inst_ids = []
        for inst in a.get("institutions") or ():
            if inst and inst.get("id"):
                parsed = parse_institution(inst)
                institutions[parsed.id] = parsed
                inst_ids.append(parsed.id)
        raw = a.get("raw_affiliation_strings")
        if raw is None:
            raw = [x.get("raw_affiliation_string") for x in a.get("affiliations") or ()]
        authorships.append(
            Authorship(
                author_id=aid,
                author_position=a.get("author_position") or "middle",
                position_index=i,
                is_corresponding=bool(a.get("is_corresponding")),
                raw_author_name=a.get("raw_author_name") or person.get("display_name"),
                raw_affiliation_strings=tuple(x for x in raw if x),
                institution_ids=tuple(inst_ids),
            )
        )
        authors.setdefault(
            aid,
            Author(
                id=aid,
                display_name=person.get("display_name") or a.get("raw_author_name") or aid,
                orcid=orcid,
                is_full=False,
            ),
        )
    loc = d.get("primary_location") or {}
    src = loc.get("source") or {}
    ids = []
    for scheme, value in (d.get("ids") or {}).items():
        if scheme in ("openalex", "doi") or not value:
            continue
        ids.append((scheme, str(value).rsplit("/", 1)[-1] if scheme == "pmid" else str(value)))
    doi = normalize_doi(d.get("doi"))
    if doi and doi.startswith("10.48550/arxiv."):
        ids.append(("arxiv", doi.split("arxiv.", 1)[1]))
    work = Work(
        id=wid,
        title=d.get("title") or d.get("display_name") or "",
        abstract=abstract_from_inverted_index(d.get("abstract_inverted_index")),
        doi=doi,
        publication_year=_int(d.get("publication_year")),
        publication_date=d.get("publication_date"),
        type=d.get("type"),
        language=d.get("language"),
        cited_by_count=_int(d.get("cited_by_count")),
        source_id=short_id(src.get("id")),
        venue=src.get("display_name") or loc.get("raw_source_name"),
        is_retracted=bool(d.get("is_retracted")),
        topics=_topics(d.get("topics")),
        concepts=_topics(d.get("concepts")),
        referenced_works=tuple(short_id(r) or "" for r in (d.get("referenced_works") or ()) if r),
        authorships=tuple(authorships),
        ids=tuple(sorted(set(ids))),
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
        display_name=d.get("display_name") or aid,
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
    try:
        if kind == "works":
            return parse_work(d)
        if kind == "authors":
            return parse_author(d)
        if kind == "institutions":
            return [parse_institution(d)]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return Rejected(location, line, f"malformed {kind[:-1]} record: {exc}")
    return Rejected(location, line, f"unknown entity type for id {d.get('id')!r}")
