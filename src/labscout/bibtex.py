"""BibTeX out: stored works as entries that BibTeX, biber and bibtexparser all read back.

:func:`to_bibtex` writes with bibtexparser (the library labscout also reads
``--like-bib`` files with). Field values are LaTeX-escaped by :func:`escape`:
``\\ { } & % $ # _ ~ ^`` become LaTeX commands, so no value can unbalance the
braces that delimit it or end its entry early. Keys are ``lastnameYEARword``
(ASCII), made unique with a, b, c... Entries are ``@article`` when the work
has a venue, else ``@misc``; each carries its link (``url``, http(s) only).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from labscout.errors import MissingExtraError
from labscout.links import safe_url

_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL = re.compile(r"[\\{}&%$#_~^]")
_DOI = re.compile(r"^10\.[^\s{}\\%#]+$")  # verbatim in the doi field: nothing to escape
_KEY_WORD = re.compile(r"[a-z]+")
_STOP = frozenset({"with", "from", "that", "this", "into", "over", "towards", "toward"})


class BibItem(Protocol):
    """What :func:`to_bibtex` reads of an item (a reading-list item, a plan's paper)."""

    @property
    def work_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def year(self) -> int | None: ...
    @property
    def venue(self) -> str | None: ...
    @property
    def doi(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def authors(self) -> Sequence[str]: ...


def _nested(text: str) -> bool:
    depth = 0
    for c in text:
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


def escape(value: Any) -> str:
    """``value`` as LaTeX text: spaces collapsed, the special characters escaped. BibTeX
    counts braces even when escaped, so braces that do not nest (a stray ``}``) become
    brackets first: no value can end its field or entry early."""
    text = " ".join(str(value).split())
    if not _nested(text):
        text = text.replace("{", "(").replace("}", ")")
    return _SPECIAL.sub(lambda m: _LATEX[m.group(0)], text)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def bib_key(authors: Sequence[str], year: int | None, title: str, taken: set[str]) -> str:
    """``lastnameYEARword`` in ASCII (``anon`` and ``nd`` when unknown), unique against
    ``taken`` (which it adds to) with a, b, c... then numbers."""
    surname = authors[0].split()[-1] if authors and authors[0].split() else "anon"
    last = _KEY_WORD.findall(_ascii(surname)) or ["anon"]
    words = _KEY_WORD.findall(_ascii(title))
    word = next((w for w in words if len(w) > 3 and w not in _STOP), "work")
    base = f"{last[0]}{year or 'nd'}{word}"
    key, n = base, 0
    while key in taken:
        n += 1
        key = base + (chr(ord("a") + n - 1) if n <= 26 else str(n))
    taken.add(key)
    return key


def to_bibtex(items: Iterable[BibItem]) -> str:
    """One entry per work (the first item of a work id wins), in the order given; ""
    when there is none. The same items give the same text."""
    try:
        import bibtexparser
        from bibtexparser.model import Entry, Field
    except ImportError:  # pragma: no cover - a core dependency
        raise MissingExtraError("sources", "bibtexparser") from None

    taken: set[str] = set()
    seen: set[str] = set()
    entries: list[Any] = []
    for it in items:
        if it.work_id in seen:
            continue
        seen.add(it.work_id)
        authors = list(it.authors or ())
        fields = [Field("title", "{" + escape(it.title) + "}")]
        if authors:
            fields.append(Field("author", " and ".join(escape(a) for a in authors)))
        if it.year:
            fields.append(Field("year", str(it.year)))
        if it.venue:
            fields.append(Field("journal", escape(it.venue)))
        if it.doi and _DOI.match(it.doi):
            fields.append(Field("doi", it.doi))
        if url := safe_url(it.url):
            fields.append(Field("url", url))
        fields.append(Field("note", escape(f"labscout work {it.work_id}")))
        key = bib_key(authors, it.year, it.title, taken)
        entries.append(Entry("article" if it.venue else "misc", key, fields))
    if not entries:
        return ""
    return bibtexparser.write_string(bibtexparser.Library(entries))
