"""Resolve what a query refers to: works one likes (ids, DOIs, arXiv ids, BibTeX) and
an author whose own works are the query."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from labscout.errors import InputError, MissingExtraError, NotFoundError
from labscout.links import DOI_REF
from labscout.people import FORMS_HINT, normalize_orcid, resolve_person
from labscout.sources.jsonfiles import read_text_file
from labscout.store import Store

_OPENALEX_WORK = re.compile(r"^(?:https?://(?:api\.)?openalex\.org/(?:works/)?)?(W\d+)$", re.I)
_ARXIV = re.compile(
    r"^(?:arxiv:|https?://arxiv\.org/(?:abs|pdf)/)?"
    r"(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?$",
    re.I,
)
_HINT = (
    "Give an OpenAlex work id (W2741809807), a DOI (10.48550/arXiv.1706.03762) or an "
    "arXiv id (1706.03762) of a work in the store; ingest it first if it is not there."
)


def normalize_title(title: str) -> str:
    """Lower case, LaTeX braces and commands and punctuation gone, spaces collapsed."""
    t = re.sub(r"\\[a-zA-Z]+\s*", " ", title).replace("{", "").replace("}", "")
    t = re.sub(r"[^0-9a-z]+", " ", t.lower())
    return " ".join(t.split())


def _one(ids: list[str]) -> str | None:
    return sorted(ids)[0] if ids else None


def resolve_work(store: Store, ref: str) -> str:
    """The stored work that ``ref`` names: an OpenAlex id, a DOI, an arXiv id, or the
    id of a stored work from any source (``paperlists:...``, ``dblp:...``)."""
    ref = ref.strip()
    if store.has_work(ref):
        return ref
    if m := _OPENALEX_WORK.match(ref):
        wid = store.resolve_id("works", m.group(1).upper())
        if store.get_works([wid]):
            return wid
        raise NotFoundError(f"no work {m.group(1)} in the store", hint=_HINT)
    if m := DOI_REF.match(ref):
        doi = m.group(1).lower()
        found = _one(store.find_work_ids("doi", doi))
        if found is None and doi.startswith("10.48550/arxiv."):
            found = _one(store.find_work_ids("arxiv", doi.split("arxiv.", 1)[1]))
        if found:
            return found
        raise NotFoundError(f"no work with DOI {doi} in the store", hint=_HINT)
    if m := _ARXIV.match(ref):
        aid = m.group(1)
        found = _one(store.find_work_ids("arxiv", aid)) or _one(
            store.find_work_ids("doi", f"10.48550/arxiv.{aid.lower()}")
        )
        if found:
            return found
        raise NotFoundError(f"no work with arXiv id {aid} in the store", hint=_HINT)
    raise NotFoundError(f"'{ref}' is not a work id, DOI or arXiv id", hint=_HINT)


@dataclass(frozen=True)
class BibMatch:
    work_ids: tuple[str, ...]
    unmatched: tuple[str, ...]
    """Entry keys (with their titles) that matched no stored work."""
    n_entries: int


def _field(entry, name: str) -> str | None:
    for key, f in entry.fields_dict.items():
        if key.lower() == name and f.value:
            return str(f.value).strip()
    return None


def resolve_bib(store: Store, path: str | os.PathLike[str]) -> BibMatch:
    """Match the entries of a BibTeX file to stored works: by DOI, by arXiv id
    (``eprint``, or an arxiv.org URL), then by normalised title."""
    try:
        import bibtexparser
    except ImportError:
        raise MissingExtraError("sources", "bibtexparser") from None
    p = Path(path)
    text = read_text_file(p, "BibTeX file", errors="replace", max_bytes=64 << 20)
    library = bibtexparser.parse_string(text)
    if not library.entries:
        raise InputError(
            f"{p} holds no BibTeX entries",
            hint="Give a .bib file with @article{...} / @inproceedings{...} entries.",
        )
    titles: dict[str, str] | None = None
    found: list[str] = []
    unmatched: list[str] = []
    for entry in library.entries:
        wid = None
        doi = _field(entry, "doi")
        if doi and (m := DOI_REF.match(doi)):
            wid = _one(store.find_work_ids("doi", m.group(1).lower()))
        if wid is None:
            for cand in (_field(entry, "eprint"), _field(entry, "url"), _field(entry, "arxiv")):
                if cand and (m := _ARXIV.match(cand)):
                    wid = _one(store.find_work_ids("arxiv", m.group(1)))
                    if wid:
                        break
        title = _field(entry, "title") or ""
        if wid is None and title:
            if titles is None:
                titles = _title_lookup(store)
            wid = titles.get(normalize_title(title))
        if wid is None:
            unmatched.append(f"{entry.key}: {title}" if title else entry.key)
        elif wid not in found:
            found.append(wid)
    return BibMatch(tuple(found), tuple(unmatched), len(library.entries))


def _title_lookup(store: Store) -> dict[str, str]:
    out: dict[str, str] = {}
    for wid, title in store.work_titles():
        out.setdefault(normalize_title(title), wid)
    return out


@dataclass(frozen=True)
class AuthorQuery:
    author_ids: tuple[str, ...]
    """The author's ids (one person across sources: every id linked to it)."""
    work_ids: tuple[str, ...]
    coauthor_ids: tuple[str, ...]


def resolve_author(
    store: Store, author: str | None = None, orcid: str | None = None
) -> AuthorQuery:
    """The works of an author named by any reference :func:`labscout.people.resolve_person`
    reads (an author id, ORCID, profile URL or exact name); ``orcid`` must be an ORCID."""
    if orcid and normalize_orcid(orcid) is None:
        raise InputError(
            f"'{orcid}' is not an ORCID", hint="An ORCID looks like 0000-0002-1825-0097."
        )
    ref = orcid or author
    if not ref or not ref.strip():
        raise InputError("give an author id or an ORCID", hint=FORMS_HINT)
    person = resolve_person(store, ref)
    ids = list(person.author_ids)
    seeds = [person.record_id]
    works = store.work_ids_of(ids)
    if not works:
        raise NotFoundError(f"the author {seeds[0]} has no works in the store")
    co = store.coauthor_ids(works, ids)
    return AuthorQuery(tuple(ids), tuple(works), tuple(co))
