"""Where a stored work can be read: one http(s) link per work, from its ids.

:func:`work_url` prefers, in this order: the DOI (``https://doi.org/...``), the
arXiv id (``https://arxiv.org/abs/...``), the OpenAlex id
(``https://openalex.org/W...``), then an OpenReview forum, a DBLP record, a
Semantic Scholar paper or the page a paper list names; a work with none of
these gets a search for its title. Every link is built here from an id, with the id
percent-encoded, so no link that a source wrote (``javascript:`` and the like)
ever reaches a page: :func:`safe_url` is the one check for http(s).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from labscout.records import Work

DOI_REF = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$", re.I)
"""A DOI as people write it (bare, ``doi:`` or a doi.org URL); group 1 is the DOI."""
ORCID_ID = r"\d{4}-\d{4}-\d{4}-\d{3}[\dXx]"
"""The shape of a bare ORCID iD (the check digit X in either case): the one pattern that
the person resolver and the web's link check build on."""
_OPENALEX = re.compile(r"^(?:https?://openalex\.org/)?(W\d+)$", re.I)
_ARXIV = re.compile(r"^(?:arxiv:)?((?:\d{4}\.\d{4,5})|(?:[a-z-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?$",
                    re.I)  # fmt: skip

# characters no link of ours carries (they would break HTML attributes or BibTeX)
_UNSAFE = re.compile(r"[\s\x00-\x20\x7f\"'<>{}\\`]")
"""Characters a link from the data never holds: spaces, control characters, quotes and
what could close an HTML attribute or a BibTeX field."""

_BY_SCHEME = (
    ("openreview", "https://openreview.net/forum?id={}"),
    ("dblp", "https://dblp.org/rec/{}"),
    ("s2", "https://www.semanticscholar.org/paper/{}"),
)


SEARCH = "https://www.semanticscholar.org/search?q={}"
"""The last resort: a search for the work's title."""


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL with a host and no user part, else None: the one
    check every link from the data passes (CLI, exports, web pages)."""
    if not isinstance(url, str) or not url.strip():
        return None
    text = url.strip()
    if _UNSAFE.search(text):
        return None
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not hostname or parts.username:
        return None
    return text


def doi_url(doi: str | None) -> str | None:
    """``https://doi.org/<doi>`` for a DOI (bare, ``doi:`` or a doi.org URL), else None."""
    m = DOI_REF.match((doi or "").strip())
    return f"https://doi.org/{quote(m.group(1), safe='/:;()._-')}" if m else None


def arxiv_id(work: Work) -> str | None:
    """The work's arXiv id (from its ids, or an ``arxiv:`` work id), version dropped."""
    candidates = [v for s, v in work.ids if s == "arxiv"]
    if work.id.lower().startswith("arxiv:"):
        candidates.append(work.id)
    for c in candidates:
        if m := _ARXIV.match(c.strip()):
            return m.group(1)
    return None


def work_link(work: Work) -> tuple[str, str]:
    """``(url, basis)``: the one link of ``work`` and what it was built from (doi, arxiv,
    openalex, openreview, dblp, s2, site; else ``search``: a Semantic Scholar search for
    the title, so that every work has a link)."""
    if url := doi_url(work.doi):
        return url, "doi"
    if aid := arxiv_id(work):
        return f"https://arxiv.org/abs/{quote(aid, safe='/.')}", "arxiv"
    if m := _OPENALEX.match(work.id):
        return f"https://openalex.org/{m.group(1).upper()}", "openalex"
    ids = dict(work.ids)
    for scheme, pattern in _BY_SCHEME:
        if ids.get(scheme):
            return pattern.format(quote(ids[scheme], safe="/")), scheme
    if url := safe_url(str(work.extra.get("site") or "")):
        return url, "site"
    return SEARCH.format(quote(" ".join(work.title.split()), safe="")), "search"


def work_url(work: Work) -> str:
    """Only the URL of :func:`work_link`."""
    return work_link(work)[0]
