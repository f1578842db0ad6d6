"""arXiv metadata into records: OAI-PMH pages (arXivRaw, arXiv) and the Kaggle snapshot.

Each arXiv paper becomes a work ``arxiv:<id>`` (type ``preprint``) carrying
the external id ``("arxiv", <id>)``; its DOI is the journal's when arXiv knows
it, else arXiv's own ``10.48550/arxiv.<id>``, which is how OpenAlex names
arXiv preprints, so the two meet in :mod:`labscout.ingest.matching`. arXiv
names people by string only: each author of each paper is its own record
``arxiv:<id>#<n>`` until :mod:`labscout.ingest.identity` links the records of
one person (never by the name alone).

LaTeX in titles and abstracts (``$\\alpha$``, ``Bal\\'azs``) becomes readable
Unicode with pylatexenc.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from lxml import etree
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from labscout.errors import NetworkError
from labscout.records import Author, Authorship, Rejected, Work
from labscout.sources.guard import parsed as guarded

OAI = "{http://www.openarchives.org/OAI/2.0/}"
RAW = "{http://arxiv.org/OAI/arXivRaw/}"
ARX = "{http://arxiv.org/OAI/arXiv/}"
FORMATS = ("arXivRaw", "arXiv")

_converter = None


def arxiv_doi(arxiv_id: str) -> str:
    """The DOI arXiv assigns to a paper: ``10.48550/arxiv.<id>`` (lower case, as stored)."""
    return f"10.48550/arxiv.{arxiv_id.strip().lower()}"


def latex_to_text(text: str | None) -> str:
    """``"Bal\\'azs on $\\alpha$-stable"`` -> ``"Balázs on α-stable"``; plain text unchanged."""
    if not text:
        return ""
    text = " ".join(text.split())
    if not any(c in text for c in "\\$^_{}~"):
        return text
    global _converter
    if _converter is None:
        from pylatexenc.latex2text import LatexNodes2Text

        _converter = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)
    try:
        return " ".join(_converter.latex_to_text(text).split())
    except Exception:  # noqa: BLE001 - pylatexenc raises many kinds on odd input
        return text


_AND = re.compile(r",?\s+and\s+|\s*,\s*|\s*;\s*|\s*&\s*")
_PAREN = re.compile(r"\([^()]*\)")


def split_authors(authors: str) -> list[str]:
    """``"A. B, C. D, and E. F (MIT)"`` -> ``["A. B", "C. D", "E. F"]``."""
    text = _PAREN.sub(" ", latex_to_text(authors))
    names = []
    for part in _AND.split(text):
        part = " ".join(part.split()).strip(" .")
        if not part or part.lower() in ("et al", "others"):
            continue
        names.append(part + ("." if part.endswith((" Jr", " Sr")) else ""))
    return names


def _date(text: str | None) -> str | None:
    """arXiv version dates (``Mon, 2 Apr 2007 19:18:42 GMT``) and ISO dates -> ``2007-04-02``."""
    if not text:
        return None
    t = text.strip()
    for fmt in ("%a, %d %b %Y %H:%M:%S %Z", "%Y-%m-%d"):
        try:
            return datetime.strptime(t, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def make_work(
    arxiv_id: str,
    title: str,
    names: list[str],
    *,
    abstract: str | None = None,
    doi: str | None = None,
    date: str | None = None,
    categories: str | None = None,
    journal_ref: str | None = None,
    comments: str | None = None,
) -> list:
    """A work and its (partial) authors from the fields every arXiv format has."""
    arxiv_id = arxiv_id.strip()
    if not arxiv_id:
        raise ValueError("record without an arXiv id")
    title = latex_to_text(title)
    if not title:
        raise ValueError(f"arXiv {arxiv_id} has no title")
    wid = f"arxiv:{arxiv_id}"
    authors, authorships = [], []
    for i, name in enumerate(names):
        aid = f"{wid}#{i + 1}"
        authors.append(Author(id=aid, display_name=name, source="arxiv", is_full=False))
        authorships.append(
            Authorship(
                author_id=aid,
                author_position="first" if i == 0 else "last" if i == len(names) - 1 else "middle",
                position_index=i,
                raw_author_name=name,
            )
        )
    cats = (categories or "").split()
    extra: dict[str, Any] = {"categories": cats}
    if comments:
        extra["comments"] = " ".join(comments.split())
    if journal_ref:
        extra["journal_ref"] = " ".join(journal_ref.split())
    work = Work(
        id=wid,
        title=title,
        abstract=latex_to_text(abstract) or None,
        doi=(doi.strip().lower() if doi else None) or arxiv_doi(arxiv_id),
        publication_year=int(date[:4]) if date else None,
        publication_date=date,
        type="preprint",
        venue=" ".join(journal_ref.split()) if journal_ref else "arXiv",
        authorships=tuple(authorships),
        ids=(("arxiv", arxiv_id),),
        source="arxiv",
        extra=extra,
    )
    return [work, *authors]


# -- the Kaggle snapshot (arxiv-metadata-oai-snapshot.json) --------------------


def parse_snapshot_line(d: Any, location: str, line: int) -> list | Rejected:
    """One JSON line of the Kaggle snapshot, or a :class:`Rejected` saying why not."""
    if not isinstance(d, dict):
        return Rejected(location, line, f"expected a JSON object, got {type(d).__name__}")
    if not isinstance(d.get("id"), str) or not isinstance(d.get("title"), str):
        return Rejected(location, line, "not an arXiv snapshot record (no string id and title)")
    parsed = d.get("authors_parsed")
    if isinstance(parsed, list) and all(isinstance(p, list) for p in parsed):
        names = []
        for p in parsed:
            last, first, suffix = (list(map(str, p)) + ["", "", ""])[:3]
            name = " ".join(x for x in (latex_to_text(first), latex_to_text(last)) if x)
            if suffix:
                name += f" {latex_to_text(suffix)}"
            if name:
                names.append(name)
    elif isinstance(d.get("authors"), str):
        names = split_authors(d["authors"])
    else:
        return Rejected(location, line, "authors_parsed is not a list of [last, first, suffix]")
    versions = d.get("versions") or []
    first = versions[0].get("created") if versions and isinstance(versions[0], dict) else None
    try:
        return make_work(
            d["id"],
            d["title"],
            names,
            abstract=d.get("abstract"),
            doi=d.get("doi"),
            date=_date(first) or _date(d.get("update_date")),
            categories=d.get("categories"),
            journal_ref=d.get("journal-ref"),
            comments=d.get("comments"),
        )
    except (ValueError, TypeError, AttributeError) as exc:
        return Rejected(location, line, f"malformed arXiv record: {exc}")


# -- OAI-PMH -------------------------------------------------------------------


@dataclass
class OaiPage:
    """One OAI-PMH answer: its records, the next resumption token, or its error."""

    records: list[list | Rejected] = field(default_factory=list)
    token: str | None = None
    complete_size: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    deleted: int = 0


def _t(el, tag: str) -> str | None:
    x = el.find(tag)
    return x.text if x is not None and x.text else None


def parse_raw(meta, location: str) -> list:
    versions = meta.findall(f"{RAW}version")
    first = _t(versions[0], f"{RAW}date") if versions else None
    return make_work(
        _t(meta, f"{RAW}id") or "",
        _t(meta, f"{RAW}title") or "",
        split_authors(_t(meta, f"{RAW}authors") or ""),
        abstract=_t(meta, f"{RAW}abstract"),
        doi=_t(meta, f"{RAW}doi"),
        date=_date(first),
        categories=_t(meta, f"{RAW}categories"),
        journal_ref=_t(meta, f"{RAW}journal-ref"),
        comments=_t(meta, f"{RAW}comments"),
    )


def parse_arxiv_format(meta, location: str) -> list:
    names = []
    for a in meta.iter(f"{ARX}author"):
        fore = _t(a, f"{ARX}forenames") or ""
        key = _t(a, f"{ARX}keyname") or ""
        suffix = _t(a, f"{ARX}suffix") or ""
        name = " ".join(" ".join(x.split()) for x in (fore, key, suffix) if x.strip())
        if name:
            names.append(name)
    return make_work(
        _t(meta, f"{ARX}id") or "",
        _t(meta, f"{ARX}title") or "",
        names,
        abstract=_t(meta, f"{ARX}abstract"),
        doi=_t(meta, f"{ARX}doi"),
        date=_date(_t(meta, f"{ARX}created")),
        categories=_t(meta, f"{ARX}categories"),
        journal_ref=_t(meta, f"{ARX}journal-ref"),
        comments=_t(meta, f"{ARX}comments"),
    )


def parse_oai_page(content: bytes, location: str) -> OaiPage:
    """Parse a ListRecords or GetRecord answer; a broken page raises ``ValueError``."""
    if not content.strip():
        raise ValueError("not an OAI-PMH answer: the body is empty")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "not XML"
        raise ValueError(f"not an OAI-PMH answer: {first}") from None
    if root is None or root.tag != f"{OAI}OAI-PMH":
        tag = etree.QName(root).localname if root is not None else "nothing"
        raise ValueError(f"not an OAI-PMH answer: the page is <{tag}> (a login page or proxy?)")
    page = OaiPage()
    err = root.find(f"{OAI}error")
    if err is not None:
        page.error_code = err.get("code")
        page.error_message = " ".join((err.text or "").split())
        return page
    for n, rec in enumerate(root.iter(f"{OAI}record"), start=1):
        header = rec.find(f"{OAI}header")
        if header is not None and header.get("status") == "deleted":
            page.deleted += 1
            continue
        meta = rec.find(f"{OAI}metadata")
        body = meta[0] if meta is not None and len(meta) else None
        if body is not None and body.tag == f"{RAW}arXivRaw":
            page.records.append(guarded(location, n, parse_raw, body, location))
        elif body is not None and body.tag == f"{ARX}arXiv":
            page.records.append(guarded(location, n, parse_arxiv_format, body, location))
        else:
            page.records.append(Rejected(location, n, "record without arXiv metadata"))
    tok = root.find(f".//{OAI}resumptionToken")
    if tok is not None:
        page.token = (tok.text or "").strip() or None
        size = tok.get("completeListSize")
        page.complete_size = int(size) if size and size.isdigit() else None
    return page


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` asks for (None when it is no number; the caller caps it)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


class OaiClient:
    """A polite OAI-PMH client: ``delay`` seconds between calls, 503 + Retry-After honoured.

    arXiv answers a burst with ``503`` and a ``Retry-After`` (seconds); the
    client waits that long (capped by ``max_wait``) and tries again, up to
    ``retries`` attempts, then raises :class:`~labscout.errors.NetworkError`.
    """

    def __init__(
        self,
        base_url: str = "https://oaipmh.arxiv.org/oai",
        *,
        delay: float = 3.0,
        retries: int = 5,
        timeout: float = 60.0,
        max_wait: float = 120.0,
        client: httpx.Client | None = None,
        sleep=None,
    ) -> None:
        self.base_url = base_url
        self.delay = delay
        self.retries = retries
        self.max_wait = max_wait
        self.http = client or httpx.Client(
            timeout=timeout, headers={"User-Agent": "labscout (OAI-PMH harvester)"}
        )
        self._own = client is None
        self._sleep = sleep or time.sleep
        self._last: float | None = None

    def close(self) -> None:
        if self._own:
            self.http.close()

    def _wait(self, retry_state) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        after = getattr(exc, "retry_after", None)
        if after is not None:
            return min(after, self.max_wait)
        return wait_exponential(multiplier=max(self.delay, 0.01), max=self.max_wait)(retry_state)

    def get(self, params: dict[str, str]) -> bytes:
        retrying = Retrying(
            retry=retry_if_exception_type(_Retryable),
            stop=stop_after_attempt(max(1, self.retries)),
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(self._get_once, params)
        except _Retryable as exc:
            raise NetworkError(
                f"the OAI-PMH server at {self.base_url} kept failing: {exc}",
                hint="Wait a while and run the same command again: it resumes where it stopped.",
            ) from None
        finally:
            self._last = time.monotonic()

    def _get_once(self, params: dict[str, str]) -> bytes:
        if self._last is not None and self.delay > 0:
            left = self.delay - (time.monotonic() - self._last)
            if left > 0:
                self._sleep(left)
        try:
            response = self.http.get(self.base_url, params=params)
        except httpx.TransportError as exc:
            self._last = time.monotonic()
            raise _Retryable(f"{type(exc).__name__}: {exc}") from None
        self._last = time.monotonic()
        if (
            response.status_code == 503
            or response.status_code == 429
            or response.status_code >= 500
        ):
            raise _Retryable(
                f"{response.status_code} {response.reason_phrase}",
                _retry_after(response.headers.get("retry-after")),
            )
        if response.status_code >= 400:
            raise NetworkError(
                f"the OAI-PMH server answered {response.status_code} {response.reason_phrase}",
                hint="Check --base-url; arXiv's endpoint is https://oaipmh.arxiv.org/oai.",
            )
        return response.content
