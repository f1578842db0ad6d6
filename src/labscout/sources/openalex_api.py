"""The OpenAlex REST API: cursor-paged works and batched entity look-ups.

Only reads: it yields the JSON of OpenAlex entities; ``labscout.ingest``
turns them into records. Every request carries ``api_key`` (OpenAlex wants a
free key since February 2026) and ``mailto`` when given. 429, 5xx and timeouts
are retried with exponential backoff by tenacity, waiting at least as long as
the server's ``Retry-After``. The ``x-ratelimit-*`` headers of each answer are
read; once the daily budget is spent the next request raises
:class:`~labscout.errors.RateLimitError` instead of being sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from labscout.errors import ConfigError, InputError, NetworkError, RateLimitError

PER_PAGE = 100
IDS_PER_CALL = 50  # OpenAlex accepts up to 50 values in one OR filter
KEY_HINT = (
    "OpenAlex needs a free API key since February 2026: create one at "
    "https://openalex.org/settings/api, then pass --api-key or set OPENALEX_API_KEY."
)


@dataclass(frozen=True)
class RateLimit:
    """What the ``x-ratelimit-*`` headers of one answer said (None when absent)."""

    limit: int | None = None
    remaining: int | None = None
    remaining_usd: float | None = None
    reset_s: int | None = None

    @classmethod
    def from_headers(cls, headers: httpx.Headers) -> RateLimit:
        return cls(
            limit=_num(headers.get("x-ratelimit-limit"), int),
            remaining=_num(headers.get("x-ratelimit-remaining"), int),
            remaining_usd=_num(headers.get("x-ratelimit-remaining-usd"), float),
            reset_s=_num(headers.get("x-ratelimit-reset"), int),
        )

    @property
    def spent(self) -> bool:
        return (self.remaining is not None and self.remaining <= 0) or (
            self.remaining_usd is not None and self.remaining_usd <= 0
        )


@dataclass(frozen=True)
class Page:
    """One answer of a list endpoint."""

    results: list[dict[str, Any]]
    next_cursor: str | None
    count: int | None
    rate: RateLimit


def _num(value: str | None, kind: Callable[[str], Any]) -> Any:
    if value is None:
        return None
    try:
        return kind(value)
    except (ValueError, OverflowError):
        try:
            return kind(float(value))
        except (ValueError, OverflowError):  # "inf", "nan", "1e999": no figure
            return None


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return "at midnight UTC"
    h, rest = divmod(int(seconds), 3600)
    return f"in {h}h {rest // 60:02d}m" if h else f"in {rest // 60}m {rest % 60:02d}s"


class _Retryable(Exception):
    """A transient failure: tenacity tries again."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class _wait_backoff_or_retry_after:
    """Exponential backoff, but never less than the server's ``Retry-After`` (capped)."""

    def __init__(self, initial: float, maximum: float) -> None:
        self._exp = wait_exponential(multiplier=initial, max=maximum)
        self._max = maximum

    def __call__(self, retry_state) -> float:
        wait = self._exp(retry_state)
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        after = getattr(exc, "retry_after", None)
        if after is not None:
            wait = max(wait, min(float(after), self._max))
        return wait


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
        return max(0.0, seconds) if seconds == seconds else None  # NaN: no figure
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


def _error_text(response: httpx.Response) -> str:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("error", "message") if body.get(k)]
        return ": ".join(parts)[:300]
    return ""


class OpenAlexClient:
    """A small OpenAlex API client. ``transport`` and ``sleep`` are for tests."""

    def __init__(
        self,
        base_url: str = "https://api.openalex.org",
        *,
        api_key: str | None = None,
        mailto: str | None = None,
        timeout: float = 30.0,
        retries: int = 5,
        wait_initial: float = 1.0,
        wait_max: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.mailto = mailto
        self.retries = max(1, retries)
        self.wait_initial = wait_initial
        self.wait_max = wait_max
        self.sleep = sleep
        self.rate = RateLimit()
        self.n_requests = 0
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": "labscout (+https://github.com/labscout)"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OpenAlexClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one request ---------------------------------------------------------
    def get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """GET ``path`` with retries; the decoded JSON body."""
        if self.rate.spent:
            raise self._budget_error()
        query = {k: v for k, v in params.items() if v is not None}
        if self.api_key:
            query["api_key"] = self.api_key
        if self.mailto:
            query["mailto"] = self.mailto
        retrying = Retrying(
            retry=retry_if_exception_type(_Retryable),
            stop=stop_after_attempt(self.retries),
            wait=_wait_backoff_or_retry_after(self.wait_initial, self.wait_max),
            sleep=self.sleep,
        )
        try:
            return retrying(self._get_once, path, query)
        except RetryError as exc:
            last = exc.last_attempt.exception()
            raise NetworkError(
                f"OpenAlex did not answer {path} after {self.retries} attempts: {last}"
            ) from None

    def _get_once(self, path: str, query: dict[str, Any]) -> dict[str, Any]:
        self.n_requests += 1
        try:
            response = self._http.get(path, params=query)
        except httpx.TimeoutException:
            raise _Retryable("timed out") from None
        except httpx.RequestError as exc:
            # the message of a connection error never holds the URL (nor the key)
            raise _Retryable(f"connection failed ({type(exc).__name__})") from None
        self.rate = RateLimit.from_headers(response.headers)
        status = response.status_code
        if status == 200:
            try:
                body = orjson.loads(response.content)
            except orjson.JSONDecodeError:
                raise _Retryable("the answer was not valid JSON") from None
            if not isinstance(body, dict):
                raise NetworkError(f"OpenAlex answered {path} with unexpected JSON")
            return body
        if status == 429:
            if self.rate.spent:
                raise self._budget_error()
            raise _Retryable("429 Too Many Requests", _retry_after(response.headers))
        if status >= 500:
            raise _Retryable(f"{status} {response.reason_phrase}", _retry_after(response.headers))
        detail = _error_text(response)
        if status in (401, 403):
            detail = detail or "Invalid or missing API key"
            raise ConfigError(
                f"OpenAlex refused the request ({status}: {detail})",
                hint=KEY_HINT,
            )
        raise InputError(
            f"OpenAlex rejected the query ({status}: {detail or response.reason_phrase})",
            hint="Check --search/--filter against https://docs.openalex.org (filter syntax "
            "is name:value, comma-separated).",
        )

    def _budget_error(self) -> RateLimitError:
        return RateLimitError(
            f"the OpenAlex daily budget of this API key is spent (it resets "
            f"{_duration(self.rate.reset_s)})",
            hint="Run the same command again after the reset: it resumes from the saved cursor.",
        )

    # -- endpoints -----------------------------------------------------------
    def works_page(
        self, *, search: str | None, filter: str | None, cursor: str, per_page: int = PER_PAGE
    ) -> Page:
        """One page of ``/works`` from ``cursor`` (``"*"`` for the first)."""
        body = self.get(
            "/works",
            {
                "search": search or None,
                "filter": filter or None,
                "per_page": per_page,
                "cursor": cursor,
            },
        )
        meta = body.get("meta")
        meta = meta if isinstance(meta, dict) else {}
        results = body.get("results")
        results = [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []
        cursor = meta.get("next_cursor")
        count = meta.get("count")
        return Page(
            results=results,
            next_cursor=cursor if results and isinstance(cursor, str) and cursor else None,
            count=count if count.__class__ is int else None,
            rate=self.rate,
        )

    def by_ids(self, entity: str, ids: list[str]) -> Iterator[list[dict[str, Any]]]:
        """Full ``entity`` records (``authors``, ``institutions``) for ``ids``, 50 a call."""
        for start in range(0, len(ids), IDS_PER_CALL):
            chunk = ids[start : start + IDS_PER_CALL]
            body = self.get(
                f"/{entity}",
                {"filter": "ids.openalex:" + "|".join(chunk), "per_page": IDS_PER_CALL},
            )
            results = body.get("results")
            yield [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []
