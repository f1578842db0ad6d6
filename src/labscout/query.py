"""One ``Query``: what ``find``, ``ladder`` and ``read`` are asked, parsed once.

A query is built from CLI options (:meth:`Query.from_cli`), web parameters
(:meth:`Query.from_params`) or Python (``Query(text="graph neural networks")``),
and checked when it is made: a bad value raises :class:`~labscout.errors.InputError`
with a hint, wherever it came from, so the CLI and the web check nothing again.

People (``mine``, ``reach_from``) stay the references the user gave (an author
id, an ORCID, a profile URL or a name); they are resolved against the store
when the query runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from labscout.errors import InputError
from labscout.filters import Filters

FIND_TOP = 10
"""Researchers ``find`` lists when the query says no ``top``."""
LADDER_TOP = 20
"""Institutions ``ladder`` lists when the query says no ``top``."""

MAX_TEXT_CHARS = 500
"""Web parameters: the longest free text accepted."""
MAX_TOP = 100
"""Web parameters: the largest ``top`` accepted."""
MAX_LIKE = 20
"""Web parameters: the most liked works accepted."""
MAX_REF_CHARS = 200
"""Web parameters: the longest work or person reference accepted."""

_FIRST_YEAR, _LAST_YEAR = 1900, 2100


def _refs(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """Stripped, non-empty, de-duplicated references; comma-separated lists are split."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    out = [p.strip() for v in values for p in str(v).split(",")]
    return tuple(dict.fromkeys(p for p in out if p))


def _year(value: int | None, flag: str) -> int | None:
    if value is not None and not _FIRST_YEAR <= value <= _LAST_YEAR:
        raise InputError(
            f"{flag} {value} is not a year",
            hint=f"Give a year between {_FIRST_YEAR} and {_LAST_YEAR}.",
        )
    return value


@dataclass(frozen=True)
class Query:
    """What to search for and how much to show. Frozen and checked when built."""

    text: str | None = None
    """The topic in the user's own words."""
    like: tuple[str, ...] = ()
    """Works the user likes: OpenAlex ids, DOIs, arXiv ids or any stored work id."""
    like_bib: str | None = None
    """A BibTeX file of works the user likes."""
    mine: str | None = None
    """The user themself (author id, ORCID, profile URL or name): their works are the
    query and they are left out of the results."""
    exclude_coauthors: bool = False
    """With ``mine``: leave out their co-authors too."""
    since: int | None = None
    """Only works published in this year or later."""
    filters: Filters = field(default_factory=Filters)
    """Which researchers and institutions to keep (country, region, type, activity)."""
    top: int | None = None
    """How many results (researchers for ``find``, institutions for ``ladder``);
    None: the command's default."""
    reach_from: tuple[str, ...] = ()
    """People the user knows (ids, ORCIDs, profile URLs, names): ``find`` adds the
    co-author paths from them to each researcher."""
    reach_k: int = 1
    """Co-author paths shown per researcher with ``reach_from``."""
    from_institution: str | None = None
    """The user's institution (name or id): ``ladder`` adds stepping stones from it."""

    def __post_init__(self) -> None:
        text = (self.text or "").strip() or None
        like = _refs(self.like)
        reach = _refs(self.reach_from)
        mine = (self.mine or "").strip() or None
        bib = str(self.like_bib) if self.like_bib not in (None, "") else None
        inst = (self.from_institution or "").strip() or None
        for name, value in (("text", text), ("like", like), ("like_bib", bib), ("mine", mine),
                            ("reach_from", reach), ("from_institution", inst)):  # fmt: skip
            object.__setattr__(self, name, value)
        if not isinstance(self.filters, Filters):
            raise InputError("filters must be a labscout.filters.Filters (Filters.parse(...))")
        if self.top is not None and self.top < 1:
            raise InputError(f"--top {self.top} is too small", hint="Use --top 1 or more.")
        if self.reach_k < 1:
            raise InputError("reach_k must be at least 1")
        _year(self.since, "--since")
        if self.exclude_coauthors and not self.mine:
            raise InputError(
                "--exclude-coauthors needs --mine",
                hint="Name yourself with --mine (author id, ORCID or name).",
            )

    @property
    def empty(self) -> bool:
        """Whether there is nothing to search for (no text, liked works or own works)."""
        return not (self.text or self.like or self.like_bib or self.mine)

    def top_or(self, default: int) -> int:
        return self.top if self.top is not None else default

    def with_(self, **changes: Any) -> Query:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (what a result echoes as its ``query``)."""
        return {
            "text": self.text,
            "like": list(self.like),
            "like_bib": self.like_bib,
            "mine": self.mine,
            "exclude_coauthors": self.exclude_coauthors,
            "since": self.since,
            "filters": self.filters.to_dict(),
            "top": self.top,
            "reach_from": list(self.reach_from),
            "reach_k": self.reach_k,
            "from_institution": self.from_institution,
        }

    @classmethod
    def from_cli(
        cls,
        text: str | None = None,
        like: Sequence[str] | None = None,
        like_bib: str | None = None,
        mine: str | None = None,
        mine_orcid: str | None = None,
        exclude_coauthors: bool = False,
        since: int | None = None,
        country: str | None = None,
        region: str | None = None,
        type: str | None = None,  # noqa: A002 (the CLI flag's name)
        active_since: int | None = None,
        top: int | None = None,
        reach_from: Sequence[str] | None = None,
        from_institution: str | None = None,
        hosts_interns: bool = False,
    ) -> Query:
        """A query from the options of ``labscout find`` / ``ladder`` (``--mine-orcid``
        is ``--mine`` by another name)."""
        if mine and mine_orcid:
            raise InputError(
                "--mine and --mine-orcid name the same person twice",
                hint="Give one of them: --mine takes an author id, ORCID or name.",
            )
        return cls(
            text=text,
            like=_refs(like),
            like_bib=like_bib,
            mine=mine or mine_orcid,
            exclude_coauthors=exclude_coauthors,
            since=since,
            filters=Filters.parse(country, region, type, active_since, hosts_interns),
            top=top,
            reach_from=_refs(reach_from),
            from_institution=from_institution,
        )

    @classmethod
    def from_params(cls, params: Mapping[str, Any], default_top: int | None = None) -> Query:
        """A query from web parameters (``q``, ``like``, ``mine``, ``exclude_coauthors``,
        ``since``, ``country``, ``region``, ``type``, ``active_since``, ``hosts_interns``,
        ``top``, ``reach_from``, ``from``), within the web's bounds (``MAX_*`` above).

        ``params`` is any mapping; a value may be a list, and Starlette's
        ``QueryParams`` give every repeated value.
        """

        def values(name: str) -> list[str]:
            got = params.getlist(name) if hasattr(params, "getlist") else params.get(name)
            if got is None:
                return []
            return [str(v) for v in ([got] if isinstance(got, str | int) else got)]

        def one(name: str, limit: int = MAX_TEXT_CHARS) -> str | None:
            got = values(name)
            value = (got[-1] if got else "").strip()
            if len(value) > limit:
                raise InputError(
                    f"'{name}' is longer than {limit} characters",
                    hint="Shorten the query or fix the value.",
                )
            return value or None

        def number(name: str, lo: int, hi: int) -> int | None:
            raw = one(name)
            if raw is None:
                return None
            try:
                value = int(raw)
            except ValueError:
                raise InputError(
                    f"'{name}' must be a whole number, not {raw!r}",
                    hint="Shorten the query or fix the value.",
                ) from None
            if not lo <= value <= hi:
                raise InputError(
                    f"'{name}' must be between {lo} and {hi}",
                    hint="Shorten the query or fix the value.",
                )
            return value

        def refs(name: str, most: int) -> tuple[str, ...]:
            given = [p for v in values(name) for p in v.split(",") if p.strip()]
            got = _refs(given)
            if len(given) > most:
                raise InputError(f"at most {most} values of '{name}'", hint="Give fewer.")
            if any(len(v) > MAX_REF_CHARS for v in got):
                raise InputError(
                    f"a value of '{name}' is longer than {MAX_REF_CHARS} characters",
                    hint="Give an id, a DOI or an arXiv id.",
                )
            return got

        def flag_of(name: str) -> bool:
            return (one(name) or "").lower() in ("1", "true", "yes", "on")

        top = number("top", 1, MAX_TOP)
        return cls(
            text=one("q"),
            like=refs("like", MAX_LIKE),
            mine=one("mine", MAX_REF_CHARS),
            exclude_coauthors=flag_of("exclude_coauthors"),
            since=number("since", _FIRST_YEAR, _LAST_YEAR),
            filters=Filters.parse(
                one("country"),
                one("region"),
                one("type"),
                number("active_since", _FIRST_YEAR, _LAST_YEAR),
                flag_of("hosts_interns"),
            ),  # fmt: skip
            top=top if top is not None else default_top,
            reach_from=refs("reach_from", MAX_LIKE),
            from_institution=one("from", MAX_REF_CHARS),
        )
