"""OpenReview expertise archives (``archives/~<id>.jsonl`` + ``submissions.json``) into records.

The format of openreview-expertise: each ``archives/~<profile id>.jsonl``
holds one paper of that person a line (``{"id", "content": {"title",
"abstract", ...}}``; OpenReview API v2 wraps each content field as
``{"value": ...}``, which is understood too); ``submissions.json`` maps paper
ids to the same paper objects, without a known author.

Works are ``openreview:<id>``; a 40-hex id is a Semantic Scholar paper id and
is kept as the external id ``s2`` too (as in exports built from Semantic
Scholar), so the paper meets its S2 record. Each archive's person is the
author ``openreview:~<id>``; a numeric profile id is a Semantic Scholar
author id (exports built from S2) and is kept as the strong key ``s2``.
(The file-only reader for ``labscout affinity`` is
``labscout.sources.openreview_expertise``; this one feeds the store.)
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from labscout.records import Author, Authorship, Rejected, Work
from labscout.sources.names import name_key, names_compatible
from labscout.sources.s2 import is_s2_paper_id


def _value(v: Any) -> Any:
    return v.get("value") if isinstance(v, dict) and "value" in v else v


def person(profile_id: str, name: str | None = None) -> Author:
    """The author an archive belongs to; ``~Jane_Doe1`` gives the name "Jane Doe"."""
    pid = profile_id if profile_id.startswith("~") else f"~{profile_id}"
    bare = pid[1:]
    ids = [("openreview", pid)]
    if bare.isdigit():
        ids.append(("s2", bare))
    name = name or bare.rstrip("0123456789").replace("_", " ").strip() or pid
    return Author(
        id=f"openreview:{pid}", display_name=name, ids=tuple(ids), source="openreview", is_full=True
    )


def archive_owner_name(papers: list[Any]) -> str | None:
    """The name on most of an archive's papers: its owner's (when the profile id is no name)."""
    keys: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for d in papers:
        content = d.get("content") if isinstance(d, dict) else None
        names = _value(content.get("authors")) if isinstance(content, dict) else None
        if not isinstance(names, list):
            continue
        seen = set()
        for n in names:
            if isinstance(n, str) and (k := name_key(n)) and k not in seen:
                seen.add(k)
                keys[k] += 1
                forms.setdefault(k, Counter())[n] += 1
    if not keys:
        return None
    (k, count), *rest = keys.most_common(2) + [("", 0)]
    if count < 2 and len(papers) > 1 or (rest and rest[0][1] == count):
        return None  # no name stands out
    return max(forms[k].items(), key=lambda kv: (kv[1], len(kv[0])))[0]


def parse_paper(d: Any, location: str, line: int | None, owner: Author | None) -> list | Rejected:
    if not isinstance(d, dict):
        return Rejected(location, line, f"expected a JSON object, got {type(d).__name__}")
    content = d.get("content")
    pid = d.get("id")
    if not isinstance(pid, str) or not pid or not isinstance(content, dict):
        return Rejected(location, line, "not an OpenReview paper (no id and content)")
    title = _value(content.get("title"))
    if not isinstance(title, str) or not title.strip():
        return Rejected(location, line, f"paper {pid} has no title")
    abstract = _value(content.get("abstract"))
    year = _value(content.get("year"))
    names = _value(content.get("authors")) or []
    profile_ids = _value(content.get("authorids")) or []
    ids = [("openreview", pid)]
    ss = content.get("ssId") or (pid if is_s2_paper_id(pid) else None)
    if ss:
        ids.append(("s2", str(ss)))
    if content.get("arXivId"):
        ids.append(("arxiv", str(content["arXivId"])))
    wid = f"openreview:{pid}"
    authors: list[Author] = []
    authorships: list[Authorship] = []
    owner_placed = False
    for i, name in enumerate(names if isinstance(names, list) else []):
        if not isinstance(name, str) or not name.strip():
            continue
        prof = profile_ids[i] if isinstance(profile_ids, list) and i < len(profile_ids) else None
        if isinstance(prof, str) and prof.startswith("~"):
            a = person(prof)
            a = Author(id=a.id, display_name=name, ids=a.ids, source="openreview", is_full=False)
        else:
            a = Author(id=f"{wid}#{i + 1}", display_name=name, source="openreview")
        if owner is not None and not owner_placed and a.id == owner.id:
            owner_placed = True
        authors.append(a)
        authorships.append(Authorship(author_id=a.id, position_index=i, raw_author_name=name))
    if owner is not None and not owner_placed:
        hit = next(
            (
                k
                for k, s in enumerate(authorships)
                if s.author_id.startswith(wid)
                and names_compatible(s.raw_author_name, owner.display_name)
            ),
            None,
        )
        if hit is not None:
            old = authorships[hit]
            authors = [x for x in authors if x.id != old.author_id]
            authorships[hit] = Authorship(
                author_id=owner.id,
                position_index=old.position_index,
                raw_author_name=old.raw_author_name,
            )
        else:
            authorships.append(Authorship(author_id=owner.id, position_index=len(authorships)))
    work = Work(
        id=wid,
        title=" ".join(title.split()),
        abstract=abstract if isinstance(abstract, str) and abstract.strip() else None,
        publication_year=int(year) if isinstance(year, int) or str(year or "").isdigit() else None,
        authorships=tuple(authorships),
        ids=tuple(ids),
        source="openreview",
    )
    return [work, *authors]
