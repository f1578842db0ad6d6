"""DBLP XML (``dblp.xml`` or ``dblp.xml.gz``, or parts of it) into records, streamed.

The dump is one 5 GB document: it is read with lxml's ``iterparse``, each
record element is turned into records and then cleared (with the siblings
before it), so memory stays flat whatever the file size. ``dblp.dtd``
declares the character entities (``&eacute;``); it is found beside the XML
file unless a path is given.

- ``<www key="homepages/...">`` person records become full
  :class:`~labscout.records.Author` records, id ``dblp:homepages/<pid>``, with
  the DBLP pid, the ORCID (from a ``<url>`` on orcid.org), every name variant
  (the first is the main one; ``0001`` suffixes are DBLP's own disambiguation
  and stay part of the name) and ``<note type="affiliation">`` as
  institutions (the current ones, without a ``label``, first).
- ``<article>``, ``<inproceedings>`` and ``<incollection>`` become works, id
  ``dblp:<key>``, with venue (journal or booktitle), year, DOI and arXiv id
  (from ``<ee>``) and authors. DBLP names a work's author by a string that is
  unique in DBLP (``Michael Schwarz 0001``): the author id is
  ``dblp:name/<string>`` until the person record that lists the string is
  read, which maps it (a :class:`~labscout.records.MergedId`) to the person.

Every record comes with its number in the file (the resume point). A file cut
in the middle or a truncated gzip raises :class:`~labscout.errors.InputError`
with the line, column and byte where reading stopped, after everything before
it was yielded.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from lxml import etree

from labscout.errors import InputError
from labscout.people import normalize_orcid
from labscout.records import Author, Authorship, Institution, MergedId, Work
from labscout.sources.jsonfiles import open_text

WORK_TAGS = {"article": "article", "inproceedings": "article", "incollection": "book-chapter"}
RECORD_TAGS = (
    "article",
    "inproceedings",
    "incollection",
    "www",
    "proceedings",
    "book",
    "phdthesis",
    "mastersthesis",
    "person",
    "data",
)
_DOI = re.compile(r"doi\.org/(10\.\S+)", re.I)
_ARXIV = re.compile(r"arxiv\.org/abs/([\w.\-/]+?)(?:v\d+)?$", re.I)


def name_author_id(name: str) -> str:
    """The author id of a DBLP name string before its person record is known."""
    return f"dblp:name/{name}"


def person_id(key: str) -> str:
    return f"dblp:{key}"


def find_dtd(xml_path: Path, dtd: str | Path | None = None) -> Path:
    """The DTD to use: ``dtd`` if given, else ``dblp.dtd`` beside the XML file."""
    if dtd is not None:
        p = Path(dtd)
        if not p.is_file():
            raise InputError(
                f"no DTD at {p}", hint="Pass --dtd with the path of dblp.dtd (dblp.org/xml/)."
            )
        return p
    p = xml_path.parent / "dblp.dtd"
    if not p.is_file():
        raise InputError(
            f"dblp.dtd not found beside {xml_path}",
            hint="Download dblp.dtd from https://dblp.org/xml/ next to the XML, or pass --dtd.",
        )
    return p


# what an external entity other than the DTD reads as: a comment, valid wherever the
# reference was (element content or the DTD), which marks the record for rejection
_REFUSED = "labscout: external entity refused"


class _DtdResolver(etree.Resolver):
    """Every external resource the parser asks for: a ``.dtd`` is the given DTD (so its
    character entities resolve); anything else (``<!ENTITY x SYSTEM "file:///...">``)
    is never read and becomes the :data:`_REFUSED` comment instead."""

    def __init__(self, dtd: Path) -> None:
        super().__init__()
        self.dtd = dtd

    def resolve(self, url, pubid, context):
        if url and url.rsplit("/", 1)[-1].endswith(".dtd"):
            return self.resolve_filename(str(self.dtd), context)
        return self.resolve_string(f"<!--{_REFUSED}-->", context)


def _refuse_external(el) -> None:
    for c in el.iter(etree.Comment):
        if c.text == _REFUSED:
            raise ValueError("the record refers to an external entity (refused, not read)")


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split())


def parse_person(el) -> list:
    key = el.get("key") or ""
    names = [_text(a) for a in el.findall("author") if _text(a)]
    if not names:
        raise ValueError("person record without a name")
    pid = key.removeprefix("homepages/")
    orcid = None
    urls = []
    for u in el.findall("url"):
        t = (u.text or "").strip()
        found = normalize_orcid(t) if "orcid.org/" in t else None
        if found and not orcid:
            orcid = found
        elif t:
            urls.append(t)
    notes = el.findall("note")
    affs = [_text(n) for n in notes if n.get("type") == "affiliation" and not n.get("label")]
    affs += [_text(n) for n in notes if n.get("type") == "affiliation" and n.get("label")]
    insts = [Institution(id=f"dblp:aff/{a}", display_name=a, source="dblp") for a in affs if a]
    pid_ = person_id(key)
    ids = [("dblp", pid)]
    ids += [("homepage", u) for u in urls[:3]]
    author = Author(
        id=pid_,
        display_name=names[0],
        orcid=orcid,
        name_variants=tuple(names[1:]),
        last_known_institution_ids=tuple(i.id for i in insts[:1]),
        ids=tuple(ids),
        source="dblp",
        is_full=True,
    )
    merged = [MergedId("authors", name_author_id(n), pid_) for n in names]
    return [author, *insts, *merged]


def parse_work(el) -> list:
    key = el.get("key") or ""
    title = _text(el.find("title")) if el.find("title") is not None else ""
    if not title:
        raise ValueError("work without a title")
    year = el.findtext("year")
    doi = arxiv = None
    for ee in el.findall("ee"):
        t = (ee.text or "").strip()
        if not doi and (m := _DOI.search(t)):
            doi = m.group(1).lower()
        if not arxiv and (m := _ARXIV.search(t)):
            arxiv = m.group(1)
    if doi and doi.startswith("10.48550/arxiv.") and not arxiv:
        arxiv = doi.split("arxiv.", 1)[1]
    authors: list[Author] = []
    authorships: list[Authorship] = []
    people = el.findall("author")
    for i, a in enumerate(people):
        name = _text(a)
        if not name:
            continue
        aid = name_author_id(name)
        authors.append(
            Author(id=aid, display_name=name, orcid=a.get("orcid"), source="dblp", is_full=False)
        )
        authorships.append(
            Authorship(
                author_id=aid,
                author_position="first" if i == 0 else "last" if i == len(people) - 1 else "middle",
                position_index=i,
                raw_author_name=name,
            )
        )
    ids = [("dblp", key)]
    if arxiv:
        ids.append(("arxiv", arxiv))
    wtype = WORK_TAGS[el.tag]
    if el.get("publtype") == "informal":
        wtype = "preprint"
    work = Work(
        id=f"dblp:{key}",
        title=title,
        doi=doi,
        publication_year=int(year) if year and year.strip().isdigit() else None,
        type=wtype,
        venue=el.findtext("journal") or el.findtext("booktitle"),
        authorships=tuple(authorships),
        ids=tuple(ids),
        source="dblp",
        extra={"dblp_type": el.tag, "mdate": el.get("mdate")},
    )
    return [work, *authors]


def parse_record(el) -> list | None:
    """Records for one DBLP element, or None for a kind this store does not keep."""
    if el.tag in WORK_TAGS:
        _refuse_external(el)
        return parse_work(el)
    if el.tag == "www" and (el.get("key") or "").startswith("homepages/"):
        if el.get("publtype") == "disambiguation":
            return None
        target = el.findtext("crossref")
        _refuse_external(el)
        if target and el.find("author") is None:  # an old key that now points elsewhere
            return [MergedId("authors", person_id(el.get("key")), person_id(target.strip()))]
        return parse_person(el)
    return None


class DblpBroken(InputError):
    """The XML ends early or is corrupt; ``position`` records were read before it."""

    def __init__(self, message: str, hint: str, position: int) -> None:
        super().__init__(message, hint)
        self.position = position


def iter_dblp(
    path: Path, dtd: Path, skip: int = 0
) -> Iterator[tuple[int, list | None] | tuple[int, ValueError]]:
    """Yield ``(n, records)`` for each record element after the first ``skip``.

    ``records`` is None for an element kind that is not kept and a
    ``ValueError`` for one that could not be read (the caller rejects it).
    """
    fh: IO[bytes] = open_text(path)
    n = 0
    ctx = etree.iterparse(
        fh,
        events=("end",),
        tag=RECORD_TAGS,
        load_dtd=True,
        resolve_entities=True,
        no_network=True,
        huge_tree=True,
    )
    ctx.resolvers.add(_DtdResolver(dtd))
    try:
        for _, el in ctx:
            parent = el.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # a nested element of the same name: not a record
            n += 1
            if n > skip:
                try:
                    yield n, parse_record(el)
                except Exception as exc:  # a record this reader cannot use: rejected, not fatal
                    yield n, exc if isinstance(exc, ValueError) else ValueError(_why(exc))
            el.clear(keep_tail=True)
            while el.getprevious() is not None:
                del parent[0]
    except (etree.XMLSyntaxError, EOFError, OSError, zlib.error) as exc:
        where = _where(exc, fh)
        raise DblpBroken(
            f"{path}: the XML ends early or is broken {where} after record {n:,} "
            f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'cut'})",
            hint=(
                f"The {n:,} records before it are kept. Fetch the file again "
                "(https://dblp.org/xml/) and rerun the same command: it resumes after them."
            ),
            position=n,
        ) from None
    finally:
        fh.close()


def _why(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _where(exc: BaseException, fh: IO[bytes]) -> str:
    parts = []
    pos = getattr(exc, "position", None)
    if pos:
        parts.append(f"line {pos[0]:,}, column {pos[1]}")
    try:
        raw = getattr(fh, "fileobj", None) or fh
        parts.append(f"byte {raw.tell():,}" + (" of the gzip" if raw is not fh else ""))
    except (OSError, ValueError):
        pass
    return "at " + ", ".join(parts) if parts else ""
