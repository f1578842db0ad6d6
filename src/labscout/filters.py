"""Filters shared by ``find`` and ``ladder``: country, region, institution type, activity.

A :class:`Filters` is built once from the command line (:meth:`Filters.parse`)
and asked about institutions (country, region, type) and researchers (a work
in the store since ``active_since``).

Regions come from ISO 3166 alpha-2 country codes through :data:`REGIONS`, a
mapping written out here (it follows the UN M49 geoscheme, with North America
meaning the United States and Canada, Latin America the rest of the Americas,
and the Middle East the M49 "Western Asia" plus Iran); ``eu`` is the 27 member
states of the European Union. Every code that pycountry knows falls in
exactly one of the continental regions (tests/test_filters.py checks it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from labscout.errors import InputError
from labscout.store import Store

T = TypeVar("T")

INSTITUTION_TYPES = (
    "education",
    "company",
    "facility",
    "government",
    "nonprofit",
    "healthcare",
    "archive",
    "funder",
    "other",
)

_REGION_CODES = {
    "europe": (
        "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS "
        "IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK"
    ),
    "north-america": "US CA BM GL PM UM",
    "latin-america": (
        "AG AI AR AW BB BL BO BQ BR BS BZ CL CO CR CU CW DM DO EC FK GD GF GP GS GT GY HN HT "
        "JM KN KY LC MF MQ MS MX NI PA PE PR PY SR SV SX TC TT UY VC VE VG VI"
    ),
    "middle-east": "AE AM AZ BH GE IL IQ IR JO KW LB OM PS QA SA SY TR YE",
    "asia": (
        "AF BD BN BT CC CN CX HK ID IN IO JP KG KH KP KR KZ LA LK MM MN MO MV MY NP PH PK SG "
        "TH TJ TL TM TW UZ VN"
    ),
    "africa": (
        "AO BF BI BJ BV BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW HM KE KM LR "
        "LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TF TG TN TZ "
        "UG YT ZA ZM ZW"
    ),
    "eu": "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK",
    "oceania": ("AQ AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV VU WF WS"),
}
REGIONS: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in _REGION_CODES.items()}
"""Region name -> ISO 3166 alpha-2 codes; the continental regions do not overlap
(``eu`` and ``americas`` group some of them)."""
REGIONS["americas"] = REGIONS["north-america"] | REGIONS["latin-america"]
_ALIASES = {"na": "north-america", "latam": "latin-america", "mena": "middle-east"}


def region_codes(name: str) -> frozenset[str]:
    """The country codes of a region (see :data:`REGIONS`)."""
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    key = _ALIASES.get(key, key)
    if key not in REGIONS:
        raise InputError(
            f"unknown region '{name}'",
            hint="Use one of: " + ", ".join(sorted(REGIONS)) + ".",
        )
    return REGIONS[key]


def region_of(country_code: str | None) -> str | None:
    """The continental region of a country code (None when unknown)."""
    if not country_code:
        return None
    cc = country_code.upper()
    for name in ("europe", "north-america", "latin-america", "middle-east", "asia"):
        if cc in REGIONS[name]:
            return name
    for name in ("africa", "oceania"):
        if cc in REGIONS[name]:
            return name
    return None


def _split(values: str | Sequence[str] | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [p.strip() for v in values for p in v.split(",") if p.strip()]


@dataclass(frozen=True)
class Filters:
    """What to keep. Empty fields keep everything."""

    countries: frozenset[str] = frozenset()
    """ISO 3166 alpha-2 codes (upper case) of institutions to keep."""
    regions: tuple[str, ...] = ()
    """Region names (see :data:`REGIONS`); an institution passes when its country is in one."""
    types: frozenset[str] = frozenset()
    """Institution types (OpenAlex's: education, company, facility, government, nonprofit...)."""
    active_since: int | None = None
    """A researcher counts as active with a work in the store from this year on."""
    hosts_interns: bool = False
    """Keep only researchers with the intern-host signal: at least one likely intern
    (:mod:`labscout.signals.interns`, docs/ladder.md "Who hosts interns")."""

    @classmethod
    def parse(
        cls,
        country: str | Sequence[str] | None = None,
        region: str | Sequence[str] | None = None,
        type: str | Sequence[str] | None = None,  # noqa: A002 (the CLI flag's name)
        active_since: int | None = None,
        hosts_interns: bool = False,
    ) -> Filters:
        """Filters from flag values: comma-separated lists (``"DE,CH"``), checked."""
        countries = [c.upper() for c in _split(country)]
        for c in countries:
            if len(c) != 2 or not c.isalpha():
                raise InputError(
                    f"'{c}' is not a two-letter country code",
                    hint="Use ISO 3166 codes such as DE, CH, US (comma-separated).",
                )
        regions = []
        for r in _split(region):
            region_codes(r)  # raises on an unknown name
            key = r.strip().lower().replace("_", "-").replace(" ", "-")
            regions.append(_ALIASES.get(key, key))
        types = [t.lower() for t in _split(type)]
        for t in types:
            if t not in INSTITUTION_TYPES:
                raise InputError(
                    f"unknown institution type '{t}'",
                    hint="Use one of: " + ", ".join(INSTITUTION_TYPES) + ".",
                )
        if active_since is not None and not 1900 <= active_since <= 2100:
            raise InputError(f"--active-since {active_since} is not a year")
        return cls(
            frozenset(countries), tuple(regions), frozenset(types), active_since,
            bool(hosts_interns),
        )  # fmt: skip

    @property
    def empty(self) -> bool:
        return not (
            self.countries or self.regions or self.types or self.active_since
            or self.hosts_interns
        )  # fmt: skip

    @property
    def on_institutions(self) -> bool:
        """Whether any filter asks about institutions (country, region, type)."""
        return bool(self.countries or self.regions or self.types)

    def institution_ok(self, country_code: str | None, type_: str | None) -> bool:
        """Whether an institution with this country and type passes."""
        cc = (country_code or "").upper()
        if self.countries and cc not in self.countries:
            return False
        if self.regions and not any(cc in region_codes(r) for r in self.regions):
            return False
        return not (self.types and (type_ or "").lower() not in self.types)

    def institutions_ok(self, store: Store, institution_ids: Iterable[str]) -> set[str]:
        """The ids among ``institution_ids`` whose stored institution passes."""
        ids = sorted(set(institution_ids))
        if not self.on_institutions:
            return set(ids)
        if not ids:
            return set()
        info = store.institution_info(ids)
        return {i for i, x in info.items() if self.institution_ok(x.country_code, x.type)}

    def active_authors(self, store: Store, author_ids: Iterable[str]) -> set[str]:
        """The ids among ``author_ids`` with a stored work from ``active_since`` on
        (every id passes when there is no such filter). Ids of one person count together."""
        ids = sorted(set(author_ids))
        if self.active_since is None or not ids:
            return set(ids)
        return store.active_since(ids, self.active_since)

    def describe(self) -> str:
        """The filters in words ("" when none)."""
        parts = []
        if self.countries:
            parts.append("country " + ",".join(sorted(self.countries)))
        if self.regions:
            parts.append("region " + ",".join(self.regions))
        if self.types:
            parts.append("type " + ",".join(sorted(self.types)))
        if self.active_since:
            parts.append(f"active since {self.active_since}")
        if self.hosts_interns:
            parts.append("hosts interns")
        return "; ".join(parts)

    def to_dict(self) -> dict:
        return {
            "countries": sorted(self.countries),
            "regions": list(self.regions),
            "types": sorted(self.types),
            "active_since": self.active_since,
            "hosts_interns": self.hosts_interns,
        }


def filter_authors(store: Store, ranked: Sequence[T], filters: Filters) -> list[T]:
    """The items of ``ranked`` (anything with an ``author_id``) that pass ``filters``, in
    order: active since ``active_since``, and (country, region, type) at their current
    institution (the main one of :meth:`Store.current_institutions`)."""
    if filters.empty:
        return list(ranked)
    ids = [r.author_id for r in ranked]
    keep = filters.active_authors(store, ids)
    if filters.on_institutions:
        current = store.current_institutions([i for i in ids if i in keep])
        where = {a: insts[0] for a, insts in current.items()}
        ok = filters.institutions_ok(store, where.values())
        keep = {a for a in keep if where.get(a) in ok}
    return [r for r in ranked if r.author_id in keep]
