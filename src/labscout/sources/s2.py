"""Semantic Scholar paper and author records (JSON files) into records.

The format is the one of the gold-standard reviewer data (and of the S2 API's
``/paper`` and ``/author`` answers): ``papers/<paperId>.json`` with ``ssId``
(or ``paperId``), ``title``, ``abstract``, ``year``, ``arXivId`` (or
``externalIds``) and ``authors`` (names, or ``{"authorId", "name"}``), and
``participants/<authorId>.json`` (or any author record) with ``authorId``,
``name`` and ``papers``.

Works are ``s2:<paperId>`` with the external ids ``s2``, ``arxiv`` and the
DOI; authors with a Semantic Scholar id are ``s2:<authorId>`` (full records,
a strong key for :mod:`labscout.ingest.identity`). An author known only by a
name on one paper is ``s2:<paperId>#<n>``, unless an author record lists
that paper and carries a compatible name: then it is that author.
"""

from __future__ import annotations

from typing import Any

from labscout.records import Author, Authorship, Rejected, Work

S2_PAPER_ID_LEN = 40


def is_s2_paper_id(value: str) -> bool:
    return len(value) == S2_PAPER_ID_LEN and all(c in "0123456789abcdef" for c in value)


def parse_author_record(d: Any, location: str) -> tuple[Author, list[str]] | Rejected:
    """An S2 author record and the ids of the papers it lists."""
    if not isinstance(d, dict) or not d.get("authorId") or not isinstance(d.get("name"), str):
        return Rejected(location, None, "not a Semantic Scholar author (no authorId and name)")
    aid = str(d["authorId"])
    papers = [
        str(p.get("paperId") if isinstance(p, dict) else p)
        for p in d.get("papers") or ()
        if (p.get("paperId") if isinstance(p, dict) else p)
    ]
    author = Author(
        id=f"s2:{aid}",
        display_name=d["name"],
        name_variants=tuple(a for a in d.get("aliases") or () if isinstance(a, str)),
        works_count=len(papers) or None,
        ids=(("s2", aid),),
        source="s2",
        is_full=True,
    )
    return author, papers


def parse_paper(
    d: Any,
    location: str,
    known: dict[str, list[Author]] | None = None,
    compatible=None,
) -> list | Rejected:
    """An S2 paper record; ``known`` maps paper ids to the author records that list them."""
    if not isinstance(d, dict):
        return Rejected(location, None, f"expected a JSON object, got {type(d).__name__}")
    pid = d.get("ssId") or d.get("paperId")
    title = d.get("title")
    if not isinstance(pid, str) or not pid or not isinstance(title, str) or not title.strip():
        return Rejected(location, None, "not a Semantic Scholar paper (no ssId/paperId or title)")
    ext = d.get("externalIds") if isinstance(d.get("externalIds"), dict) else {}
    arxiv = d.get("arXivId") or ext.get("ArXiv")
    doi = d.get("doi") or ext.get("DOI")
    wid = f"s2:{pid}"
    listed = list((known or {}).get(pid, ()))
    authors: list[Author] = []
    authorships: list[Authorship] = []
    people = d.get("authors") or []
    if not isinstance(people, list):
        return Rejected(location, None, "authors is not a list")
    for i, a in enumerate(people):
        name = a.get("name") if isinstance(a, dict) else a
        if not isinstance(name, str) or not name.strip():
            continue
        s2_id = a.get("authorId") if isinstance(a, dict) else None
        aid = f"s2:{s2_id}" if s2_id else None
        if aid is None and compatible is not None:
            for rec in listed:
                if compatible(rec.display_name, name):
                    aid = rec.id
                    listed.remove(rec)
                    break
        if aid is None:
            aid = f"{wid}#{i + 1}"
            authors.append(Author(id=aid, display_name=name, source="s2", is_full=False))
        elif s2_id:
            authors.append(
                Author(id=aid, display_name=name, ids=(("s2", str(s2_id)),), source="s2")
            )
        authorships.append(
            Authorship(
                author_id=aid,
                author_position="first" if i == 0 else "last" if i == len(people) - 1 else "middle",
                position_index=i,
                raw_author_name=name,
            )
        )
    ids = [("s2", pid)]
    if arxiv:
        ids.append(("arxiv", str(arxiv)))
    year = d.get("year")
    work = Work(
        id=wid,
        title=" ".join(title.split()),
        abstract=(d.get("abstract") or None) if isinstance(d.get("abstract"), str) else None,
        doi=str(doi).lower() if doi else None,
        publication_year=int(year)
        if isinstance(year, int | float) or str(year).isdigit()
        else None,
        venue=d.get("venue") or None,
        authorships=tuple(authorships),
        ids=tuple(ids),
        source="s2",
        extra={k: d[k] for k in ("link", "openAccess") if d.get(k) is not None},
    )
    return [work, *authors]
