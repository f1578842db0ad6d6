"""BibTeX for the plan's works (each carries its link from :mod:`labscout.links`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from labscout.records import Work

_BIB_SPECIAL = re.compile(r"([\\{}&%$#_~^])")
_KEY_WORD = re.compile(r"[a-z]+")


def author_names(work: Work, names: dict[str, str]) -> tuple[str, ...]:
    """The work's authors in order: their stored display names, else the name on the paper."""
    out = []
    for a in sorted(work.authorships, key=lambda s: s.position_index):
        name = names.get(a.author_id) or a.raw_author_name or a.author_id
        out.append(name)
    return tuple(out)


def _bib_text(value: Any) -> str:
    text = " ".join(str(value).split())
    return _BIB_SPECIAL.sub(lambda m: "\\" + m.group(1) if m.group(1) != "\\" else "", text)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def bib_key(authors: Sequence[str], year: int | None, title: str, taken: set[str]) -> str:
    """``lastnameYEARword`` (ASCII), made unique against ``taken`` with a, b, c..."""
    last = _KEY_WORD.findall(_ascii(authors[0].split()[-1] if authors else "anon")) or ["anon"]
    word = next((w for w in _KEY_WORD.findall(_ascii(title)) if len(w) > 3), "work")
    base = f"{last[0]}{year or 'nd'}{word}"
    key, n = base, 0
    while key in taken:
        n += 1
        key = base + chr(ord("a") + (n - 1) % 26) + ("" if n <= 26 else str(n))
    taken.add(key)
    return key


def to_bibtex(items: Iterable[Any]) -> str:
    """BibTeX entries (``@article`` with a venue, else ``@misc``) of linked works: any
    objects with ``title``, ``year``, ``venue``, ``doi``, ``url`` and ``authors``. The
    same works give the same text; LaTeX's special characters are escaped."""
    import bibtexparser
    from bibtexparser.model import Entry, Field

    taken: set[str] = set()
    entries = []
    seen: set[str] = set()
    for it in items:
        if it.work_id in seen:
            continue
        seen.add(it.work_id)
        key = bib_key(it.authors, it.year, it.title, taken)
        fields = [Field("title", "{" + _bib_text(it.title) + "}")]
        if it.authors:
            fields.append(Field("author", " and ".join(_bib_text(a) for a in it.authors)))
        if it.year:
            fields.append(Field("year", str(it.year)))
        if it.venue:
            fields.append(Field("journal", _bib_text(it.venue)))
        if it.doi:
            fields.append(Field("doi", _bib_text(it.doi)))
        fields.append(Field("url", it.url))
        fields.append(Field("note", _bib_text(f"labscout work id {it.work_id}")))
        entries.append(Entry("article" if it.venue else "misc", key, fields))
    if not entries:
        return ""
    return bibtexparser.write_string(bibtexparser.Library(entries))
