"""Errors that reach the user: each carries a one-line message and a hint.

The CLI turns any :class:`LabscoutError` into ``Error: <message>`` plus
``Hint: <hint>`` on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations


class LabscoutError(Exception):
    """Base class for every error labscout reports to a user."""

    default_hint = "Run `labscout --help` for usage."

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        return self.message


class ConfigError(LabscoutError):
    """A setting, flag or config file is invalid."""

    default_hint = "Check the flag or `labscout.toml`; `labscout settings` lists every setting."


class StoreError(LabscoutError):
    """The DuckDB store cannot be opened, is locked, or has an unknown schema."""

    default_hint = "Check the --db path; another labscout process may hold the file open."


class InputError(LabscoutError):
    """A file or argument given by the user cannot be read."""

    default_hint = "Check the path and the file format; `labscout ingest --help` lists formats."


class NotFoundError(LabscoutError):
    """An id, name or file that was asked for is not in the store."""

    default_hint = "Ingest it first, or check the id with `labscout stats`."


class AmbiguousError(LabscoutError):
    """A name matches several records; the user must pick one by id."""

    default_hint = "Use the id of the one you mean instead of the name."


class NetworkError(LabscoutError):
    """A remote service did not answer usefully after the retries."""

    default_hint = "Check the network and run the same command again: it resumes where it stopped."


class RateLimitError(NetworkError):
    """The remote service's budget is spent; the run can resume later."""

    default_hint = "Wait until the budget resets (or use another API key) and rerun to resume."


class IndexStateError(LabscoutError):
    """An index is missing, stale or was built with other parameters."""

    default_hint = "Run `labscout index` to (re)build the indexes."


class MissingExtraError(LabscoutError):
    """An optional dependency is not installed."""

    CORE_GROUPS = frozenset({"search", "sources", "graph", "web"})
    """Groups whose packages are core dependencies since 0.2.0 (their extras are kept, empty,
    so old install commands still work): one of them missing means a broken install."""

    def __init__(self, extra: str, package: str) -> None:
        if extra in self.CORE_GROUPS:
            super().__init__(
                f"the package '{package}' that labscout needs is not installed",
                hint=f"pip install '{package}' (or reinstall labscout: pip install labscout)",
            )
        else:
            super().__init__(
                f"this feature needs the optional package '{package}'",
                hint=f"pip install 'labscout[{extra}]'",
            )
