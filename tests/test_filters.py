"""Filters: parsing the flags, regions from country codes, institutions and activity."""

from __future__ import annotations

import pycountry
import pytest

from labscout.errors import InputError
from labscout.filters import REGIONS, Filters, region_codes, region_of
from labscout.records import Authorship, Institution, Work
from labscout.store import Batch

CONTINENTAL = (
    "europe",
    "north-america",
    "latin-america",
    "middle-east",
    "asia",
    "africa",
    "oceania",
)


def test_every_country_in_exactly_one_continental_region() -> None:
    codes = {c.alpha_2 for c in pycountry.countries}
    for cc in codes:
        homes = [r for r in CONTINENTAL if cc in REGIONS[r]]
        assert len(homes) == 1, (cc, homes)
    assert REGIONS["eu"] <= REGIONS["europe"]
    assert len(REGIONS["eu"]) == 27


def test_region_of_and_aliases() -> None:
    assert region_of("de") == "europe"
    assert region_of("US") == "north-america"
    assert region_of("MX") == "latin-america"
    assert region_of("IL") == "middle-east"
    assert region_of("CN") == "asia"
    assert region_of(None) is None
    assert region_codes("North America") == REGIONS["north-america"]
    assert region_codes("latam") == REGIONS["latin-america"]
    with pytest.raises(InputError, match="unknown region"):
        region_codes("atlantis")


def test_parse_checks_values() -> None:
    f = Filters.parse("de, ch", "europe", "education,company", 2023)
    assert f.countries == {"DE", "CH"}
    assert f.types == {"education", "company"}
    assert f.active_since == 2023
    assert "country CH,DE" in f.describe()
    assert Filters.parse().empty
    with pytest.raises(InputError, match="country code"):
        Filters.parse(country="Germany")
    with pytest.raises(InputError, match="institution type"):
        Filters.parse(type="university")
    with pytest.raises(InputError, match="not a year"):
        Filters.parse(active_since=23)


def test_institution_ok() -> None:
    f = Filters.parse(region="europe", type="company")
    assert f.institution_ok("GB", "company")
    assert not f.institution_ok("GB", "education")
    assert not f.institution_ok("US", "company")
    assert not f.institution_ok(None, "company")
    g = Filters.parse(country="US,CA")
    assert g.institution_ok("us", None) and not g.institution_ok("DE", "education")


def test_on_the_store(store) -> None:
    store.write(
        Batch(
            institutions=[
                Institution("I1", "ETH Zurich", country_code="CH", type="education"),
                Institution("I2", "Google", country_code="US", type="company"),
            ],
            works=[
                Work("W1", "old", publication_year=2015, authorships=(Authorship("A1"),)),
                Work("W2", "new", publication_year=2023, authorships=(Authorship("A2"),)),
            ],
        )
    )
    f = Filters.parse(country="CH", active_since=2020)
    assert f.institutions_ok(store, ["I1", "I2", "I9"]) == {"I1"}
    assert f.active_authors(store, ["A1", "A2", "A3"]) == {"A2"}
    assert Filters().active_authors(store, ["A1", "A2"]) == {"A1", "A2"}


def test_filter_authors_by_current_institution(store) -> None:
    from types import SimpleNamespace

    from labscout.filters import filter_authors
    from labscout.records import Author

    store.write(
        Batch(
            institutions=[
                Institution("I1", "ETH Zurich", country_code="CH", type="education"),
                Institution("I2", "Google", country_code="US", type="company"),
            ],
            authors=[
                # the author record's last known institution wins over the papers
                Author("A1", "One", last_known_institution_ids=("I2",), is_full=True),
                Author("A2", "Two"),
                Author("A3", "Three"),
            ],
            works=[
                Work(
                    "W1",
                    "a",
                    publication_year=2015,
                    authorships=(Authorship("A1", institution_ids=("I1",)),),
                ),
                Work(
                    "W2",
                    "b",
                    publication_year=2016,
                    authorships=(Authorship("A2", institution_ids=("I2",)),),
                ),
                Work(
                    "W3",
                    "c",
                    publication_year=2024,
                    authorships=(Authorship("A2", institution_ids=("I1",)),),
                ),
                Work("W4", "d", publication_year=2024, authorships=(Authorship("A3"),)),
            ],
        )
    )
    ranked = [SimpleNamespace(author_id=a) for a in ("A3", "A2", "A1")]
    ids = lambda f: [r.author_id for r in filter_authors(store, ranked, f)]  # noqa: E731
    assert ids(Filters()) == ["A3", "A2", "A1"]
    assert ids(Filters.parse(country="CH")) == ["A2"]  # A2's latest paper is at ETH
    assert ids(Filters.parse(type="company")) == ["A1"]
    assert ids(Filters.parse(active_since=2020)) == ["A3", "A2"]
    assert ids(Filters.parse(region="north-america", active_since=2020)) == []
