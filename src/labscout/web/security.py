"""What the web app does against hostile data and hostile pages.

- :class:`SecurityHeaders`: an ASGI middleware that puts the usual headers on
  every response (pages, JSON, errors, static files): a Content-Security-Policy
  that allows nothing but this site's own stylesheet and forms (no script runs
  at all), ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and
  ``Referrer-Policy: no-referrer`` (no query text leaks to a linked site).
- :func:`external_url`: the one way a link from the data (a ROR, DOI, ORCID or
  OpenAlex id) reaches a page: only http(s), and only to the host that kind of
  id lives on; anything else (``javascript:``, ``data:``, another host) is no link.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from labscout.links import ORCID_ID, safe_url

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
"""Nothing but this site's stylesheet and forms; the bar charts are inline SVG markup."""

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response of ``app`` (a header the
    route set itself is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.raw = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.raw if k not in have]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# kind -> (the one host, a bare id of that kind)
_KINDS: dict[str, tuple[str, re.Pattern[str]]] = {
    "ror": ("ror.org", re.compile(r"0[a-z0-9]{6}\d{2}", re.I)),
    "doi": ("doi.org", re.compile(r"10\.\d{4,9}/\S+")),
    "orcid": ("orcid.org", re.compile(ORCID_ID)),
    "openalex": ("openalex.org", re.compile(r"[WAISCTFP]\d+", re.I)),
}


def external_url(value: object, kind: str | None = None) -> str | None:
    """A link for ``value`` from the data, or None when it is not one to show.

    With ``kind`` (ror, doi, orcid, openalex) a bare id becomes its URL on that
    kind's host, and a URL is kept only when it is http(s) on that host (or a
    subdomain: ``dx.doi.org``); without, any http(s) URL with a host is kept.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    host = None
    if kind is not None:
        host, bare = _KINDS[kind]
        if bare.fullmatch(text):
            return f"https://{host}/{quote(text, safe='/.()-_;:')}"
    url = safe_url(text)
    if url is None or host is None:
        return url
    hostname = (urlsplit(url).hostname or "").lower()
    return url if hostname == host or hostname.endswith("." + host) else None
