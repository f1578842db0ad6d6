"""What every reader does with a record it cannot use: reject it (with file and line), go on.

- :func:`parsed` calls a source's parser on one raw record: any error it raises
  that is not a :class:`~labscout.errors.LabscoutError` (a mistyped field, a
  number too large, nesting too deep, memory) rejects that record only.
- :func:`check_records` checks what a parser made before it reaches the store:
  every field of the type and range the store keeps (strings are strings,
  years and counts fit 32 bits, scores are finite), and every work has a title.
  The pipeline rejects a record that fails, naming its file and line.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from labscout.errors import LabscoutError
from labscout.records import Author, Authorship, Institution, MergedId, Rejected, Topic, Work

INT32_MAX = 2**31 - 1

_STR = str
_NONE = type(None)


def parsed(
    location: str, line: int | None, parse: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    """``parse(*args, **kwargs)``, or a :class:`Rejected` when it raised on a bad record."""
    try:
        return parse(*args, **kwargs)
    except LabscoutError:
        raise
    except (MemoryError, RecursionError) as exc:
        return Rejected(location, line, f"record too large or too deeply nested ({_why(exc)})")
    except Exception as exc:
        return Rejected(location, line, f"malformed record: {_why(exc)}")


def _why(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def _opt_str(value: Any, name: str) -> None:
    cls = value.__class__
    if cls is not _STR and cls is not _NONE:
        raise _Bad(f"{name} is a {cls.__name__}, not text")


def _str(value: Any, name: str) -> None:
    if value.__class__ is not _STR:
        raise _Bad(f"{name} is a {value.__class__.__name__}, not text")


def _strs(values: Any, name: str) -> None:
    if values.__class__ is not tuple:
        raise _Bad(f"{name} is a {values.__class__.__name__}, not a list")
    for v in values:
        if v.__class__ is not _STR:
            raise _Bad(f"{name} holds a {v.__class__.__name__}, not text")


def _int32(value: Any, name: str) -> None:
    if value is None:
        return
    if value.__class__ is not int:
        raise _Bad(f"{name} is a {value.__class__.__name__}, not a whole number")
    if not -INT32_MAX <= value <= INT32_MAX:
        raise _Bad(f"{name} {value} is out of range")


def _topics(values: Any, name: str) -> None:
    if values.__class__ is not tuple:
        raise _Bad(f"{name} is a {values.__class__.__name__}, not a list")
    for t in values:
        if t.__class__ is not Topic:
            raise _Bad(f"{name} holds a {t.__class__.__name__}")
        _str(t.id, f"{name} id")
        _str(t.display_name, f"{name} name")
        s = t.score
        if s is not None and (s.__class__ is not float or not math.isfinite(s)):
            raise _Bad(f"{name} score {s!r} is not a finite number")


def _ids(values: Any, name: str) -> None:
    if values.__class__ is not tuple:
        raise _Bad(f"{name} is not a list")
    for pair in values:
        if pair.__class__ is not tuple or len(pair) != 2:
            raise _Bad(f"{name} holds {pair!r}, not a (scheme, value) pair")
        _str(pair[0], f"{name} scheme")
        _str(pair[1], f"{name} value")


class _Bad(ValueError):
    pass


def _work(w: Work) -> None:
    _str(w.id, "id")
    if not w.id:
        raise _Bad("work without an id")
    _str(w.title, "title")
    if not w.title.strip():
        raise _Bad("work without a title")
    for name in ("abstract", "doi", "publication_date", "type", "language", "source_id", "venue"):
        _opt_str(getattr(w, name), name)
    _int32(w.publication_year, "publication_year")
    _int32(w.cited_by_count, "cited_by_count")
    if w.is_retracted.__class__ is not bool:
        raise _Bad("is_retracted is not true or false")
    _topics(w.topics, "topics")
    _topics(w.concepts, "concepts")
    _strs(w.referenced_works, "referenced_works")
    _ids(w.ids, "ids")
    if w.authorships.__class__ is not tuple:
        raise _Bad("authorships is not a list")
    for a in w.authorships:
        if a.__class__ is not Authorship:
            raise _Bad(f"authorships hold a {a.__class__.__name__}")
        _str(a.author_id, "author id")
        _str(a.author_position, "author_position")
        _int32(a.position_index, "author position index")
        if a.is_corresponding.__class__ is not bool:
            raise _Bad("is_corresponding is not true or false")
        _opt_str(a.raw_author_name, "author name")
        _strs(a.raw_affiliation_strings, "raw_affiliation_strings")
        _strs(a.institution_ids, "author institution ids")


def _author(a: Author) -> None:
    _str(a.id, "author id")
    if not a.id:
        raise _Bad("author without an id")
    _str(a.display_name, "author name")
    _opt_str(a.orcid, "author orcid")
    _strs(a.name_variants, "author name variants")
    _int32(a.works_count, "author works_count")
    _int32(a.cited_by_count, "author cited_by_count")
    _strs(a.last_known_institution_ids, "author institutions")
    _ids(a.ids, "author ids")


def _institution(i: Institution) -> None:
    _str(i.id, "institution id")
    if not i.id:
        raise _Bad("institution without an id")
    _str(i.display_name, "institution name")
    for name in ("ror", "country_code", "type"):
        _opt_str(getattr(i, name), f"institution {name}")
    _strs(i.lineage, "institution lineage")


def _merged(m: MergedId) -> None:
    _str(m.entity, "merged entity")
    _str(m.old_id, "merged id")
    _str(m.new_id, "merged into id")


_CHECKS: dict[type, Callable[[Any], None]] = {
    Work: _work,
    Author: _author,
    Institution: _institution,
    MergedId: _merged,
}


def check_records(records: list) -> str | None:
    """Why the records parsed from one source record cannot be stored, or None when they can."""
    try:
        for r in records:
            check = _CHECKS.get(r.__class__)
            if check is None:
                for kind, fn in _CHECKS.items():
                    if isinstance(r, kind):
                        check = fn
                        break
                else:
                    return f"unexpected {r.__class__.__name__} from the parser"
            check(r)
    except _Bad as exc:
        return f"mistyped record: {exc}"
    return None
