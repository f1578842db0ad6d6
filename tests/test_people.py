"""labscout.people on a hand-made store whose answers are known.

Ada Lovelace: OpenAlex A1 (ORCID with a lower-case check digit x, at Alpha)
and DBLP dblp:homepages/l/Lovelace (pid l/Lovelace), merged by an identity
link into A1. Two unmerged "Jane Smith": A10 at Alpha, A11 at Beta. Grace
Hopper: a paperlists id with authorships only (no author record). Bob: A2,
merged by OpenAlex into A3.
"""

from __future__ import annotations

import pytest

from labscout.errors import AmbiguousError, InputError, NotFoundError
from labscout.people import (
    Person,
    member_ids,
    normalize_author_id,
    normalize_name,
    normalize_orcid,
    person_of,
    ref_kind,
    resolve_people,
    resolve_person,
    to_persons,
)
from labscout.records import Author, Authorship, Institution, MergedId, Work
from labscout.store import Batch, Store

ORCID = "0000-0002-1825-009X"


@pytest.fixture
def pstore(store: Store) -> Store:
    works = [
        Work(
            id="W1",
            title="Notes on the engine",
            publication_year=2020,
            authorships=(
                Authorship("A1", "first", 0, raw_author_name="Ada Lovelace",
                           institution_ids=("I1",)),
                Authorship("A10", "last", 1, raw_author_name="Jane Smith",
                           institution_ids=("I1",)),
            ),
        ),
        Work(
            id="dblp:w2",
            title="More notes",
            publication_year=2021,
            source="dblp",
            authorships=(
                Authorship("dblp:homepages/l/Lovelace", "first", 0, raw_author_name="Ada Lovelace"),
                Authorship("A11", "middle", 1, raw_author_name="Jane Smith",
                           institution_ids=("I2",)),
                Authorship("paperlists:iclr2024:Grace_Hopper", "last", 2,
                           raw_author_name="Grace Hopper"),
                Authorship("A3", "middle", 3, raw_author_name="Bob Builder"),
            ),
        ),
    ]  # fmt: skip
    authors = [
        Author("A1", "Ada Lovelace", orcid="0000-0002-1825-009x", is_full=True,
               last_known_institution_ids=("I1",)),
        Author("dblp:homepages/l/Lovelace", "Ada Lovelace", source="dblp", is_full=True,
               ids=(("dblp", "l/Lovelace"),), name_variants=("Augusta  Ada King",)),
        Author("A10", "Jane Smith", is_full=True),
        Author("A11", "Jane Smíth", is_full=True),
        Author("A3", "Bob Builder", is_full=True),
    ]  # fmt: skip
    institutions = [
        Institution("I1", "University of Alpha"),
        Institution("I2", "Beta Institute"),
    ]
    store.write(
        Batch(
            works=works,
            authors=authors,
            institutions=institutions,
            merged=[MergedId("authors", "A2", "A3")],
        )
    )
    store.con.execute(
        "INSERT INTO identity_links VALUES (1, 'dblp:homepages/l/Lovelace', 'A1', 'orcid', "
        "'test', NULL, now(), NULL)"
    )
    return store


ADA = ("A1", "dblp:homepages/l/Lovelace")


@pytest.mark.parametrize(
    "ref",
    [
        "A1",
        "a1",
        " https://openalex.org/A1 ",
        "https://api.openalex.org/authors/A1",
        "openalex.org/a1",
        "dblp:homepages/l/Lovelace",
        "https://dblp.org/pid/l/Lovelace.html",
        "dblp.org/pid/l/Lovelace",
        ORCID,
        ORCID.lower(),
        "https://orcid.org/0000-0002-1825-009x",
        "Ada Lovelace",
        "ada   LOVELACE",
        "Augusta Ada King",
    ],
)
def test_every_form_names_the_same_person(pstore: Store, ref: str) -> None:
    p = resolve_person(pstore, ref)
    assert isinstance(p, Person)
    assert p.id == "A1"
    assert p.author_ids == ADA
    assert p.display_name == "Ada Lovelace"
    assert p.orcid is not None and normalize_orcid(p.orcid) == ORCID
    assert p.institution == "University of Alpha"


def test_how_each_reference_was_read(pstore: Store) -> None:
    assert resolve_person(pstore, "A1").matched_by == "id"
    assert resolve_person(pstore, ORCID).matched_by == "orcid"
    assert resolve_person(pstore, "https://openalex.org/A1").matched_by == "profile"
    assert resolve_person(pstore, "Ada Lovelace").matched_by == "name"
    # the record the reference named is kept (a merged member stays itself)
    assert resolve_person(pstore, "dblp:homepages/l/Lovelace").record_id == (
        "dblp:homepages/l/Lovelace"
    )
    assert resolve_person(pstore, ORCID).record_id == "A1"


def test_other_sources_ids_and_merged_openalex_ids(pstore: Store) -> None:
    g = resolve_person(pstore, "paperlists:iclr2024:Grace_Hopper")
    assert (g.id, g.author_ids, g.display_name) == (
        "paperlists:iclr2024:Grace_Hopper",
        ("paperlists:iclr2024:Grace_Hopper",),
        "Grace Hopper",
    )
    assert g.institution is None
    assert resolve_person(pstore, "A2").id == "A3"  # OpenAlex merged A2 into A3


def test_ambiguous_name_lists_candidates_with_ids_and_institutions(pstore: Store) -> None:
    with pytest.raises(AmbiguousError) as err:
        resolve_person(pstore, "jane smith")  # accents and case ignored: A10 and A11
    msg = str(err.value)
    assert "2 people" in msg
    assert "A10" in msg and "University of Alpha" in msg
    assert "A11" in msg and "Beta Institute" in msg
    assert "A10" in err.value.hint


def test_unknown_references_give_not_found_with_a_hint(pstore: Store) -> None:
    for ref in (
        "A404",
        "dblp:homepages/x/Nobody",
        "https://dblp.org/pid/x/Nobody",
        "0000-0001-2345-6789",
        "Nobody Here",
        "https://example.org/people/ada",
    ):
        with pytest.raises(NotFoundError) as err:
            resolve_person(pstore, ref)
        assert err.value.hint
    with pytest.raises(NotFoundError) as err:
        resolve_person(pstore, "A404")
    assert "A404" in str(err.value) and "ORCID" in err.value.hint
    with pytest.raises(InputError):
        resolve_person(pstore, "  ")


def test_orcid_is_one_pattern_and_case_insensitive() -> None:
    assert normalize_orcid("0000-0002-1825-009x") == ORCID
    assert normalize_orcid("https://orcid.org/0000-0002-1825-009X") == ORCID
    assert normalize_orcid("http://www.orcid.org/0000-0002-1825-0097/") == "0000-0002-1825-0097"
    for not_orcid in ("", None, "0000-0002-1825", "A123", "orcid:0000-0002-1825-0097"):
        assert normalize_orcid(not_orcid) is None


def test_id_and_name_normalisers() -> None:
    assert normalize_author_id("https://openalex.org/a5023888391") == "A5023888391"
    assert normalize_author_id("https://dblp.org/pid/b/Bengio.html") == "dblp:homepages/b/Bengio"
    assert (
        normalize_author_id("https://www.semanticscholar.org/author/Yoshua-Bengio/1751762")
        == "s2:1751762"
    )
    assert normalize_author_id("paperlists:nips2018:Ada") == "paperlists:nips2018:Ada"
    assert normalize_author_id("Ada Lovelace") is None
    assert normalize_name("  Frédéric   LOULERGUE ") == "frederic loulergue"
    assert [ref_kind(r) for r in ("A1", ORCID, "https://dblp.org/pid/a/b", "Ada L")] == [
        "id",
        "orcid",
        "profile",
        "name",
    ]


def test_merged_identities_map_through_person_of(pstore: Store) -> None:
    got = person_of(pstore, ["dblp:homepages/l/Lovelace", "A1", "A10", "unknown"])
    assert got == {
        "dblp:homepages/l/Lovelace": "A1",
        "A1": "A1",
        "A10": "A10",
        "unknown": "unknown",
    }
    assert to_persons(pstore, ["dblp:homepages/l/Lovelace", "A1", "A10"]) == ["A1", "A10"]
    assert member_ids(pstore, ["A1"]) == ADA
    assert member_ids(pstore, ["dblp:homepages/l/Lovelace"]) == ADA
    # an undone link splits them again
    pstore.con.execute("UPDATE identity_links SET undone_at = now()")
    assert person_of(pstore, ["dblp:homepages/l/Lovelace"]) == {
        "dblp:homepages/l/Lovelace": "dblp:homepages/l/Lovelace"
    }
    with pytest.raises(AmbiguousError):
        resolve_person(pstore, "Ada Lovelace")  # two people again
    # the records of one ORCID stay one person
    assert resolve_person(pstore, ORCID).author_ids == ("A1",)


def test_unmerged_records_sharing_an_orcid_are_one_person(pstore: Store) -> None:
    pstore.write(Batch(authors=[Author("s2:42", "A. Lovelace", orcid=ORCID, source="s2",
                                       is_full=True)]))  # fmt: skip
    p = resolve_person(pstore, ORCID)
    assert p.id == "A1"
    assert set(p.author_ids) == {"A1", "dblp:homepages/l/Lovelace", "s2:42"}


def test_resolve_people_drops_repeats(pstore: Store) -> None:
    got = resolve_people(pstore, ["A1", ORCID, "", "A10", "Ada Lovelace"])
    assert [p.id for p in got] == ["A1", "A10"]


def test_a_store_from_before_identity_links(pstore: Store) -> None:
    pstore.con.execute("DROP VIEW author_person")
    pstore.con.execute("DROP TABLE identity_links")
    assert person_of(pstore, ["dblp:homepages/l/Lovelace"]) == {
        "dblp:homepages/l/Lovelace": "dblp:homepages/l/Lovelace"
    }
    assert member_ids(pstore, ["A1"]) == ("A1",)
    assert resolve_person(pstore, "A1").author_ids == ("A1",)


@pytest.mark.parametrize("ref", ["A1", "https://orcid.org/0000-0002-1825-009x", "ada lovelace"])
def test_every_command_takes_the_same_forms(pstore: Store, ref: str) -> None:
    from labscout.committee import find_conflicts
    from labscout.graph import paths
    from labscout.rank.queries import resolve_author
    from labscout.signals import researcher_profile

    mine = resolve_author(pstore, ref)  # find --mine
    assert mine.author_ids == ADA and mine.work_ids == ("W1", "dblp:w2")
    assert researcher_profile(pstore, ref).author_ids == ADA  # researcher
    found = paths(pstore, [ref], "https://openalex.org/A11", k=1)  # path --from / --to
    assert [p.id for p in found[0].people] == ["A1", "A11"]
    report = find_conflicts(pstore, {"P1": ["https://dblp.org/pid/l/Lovelace"]}, [ref])
    assert [(c.reason, c.reviewer_id) for c in report.conflicts if c.reason == "author"] == [
        ("author", "A1")
    ]
    assert report.unknown_ids == ()


def test_conflicts_keep_unknown_ids_and_report_them(pstore: Store) -> None:
    from labscout.committee import find_conflicts

    report = find_conflicts(pstore, {"P1": ["https://openalex.org/A999"]}, ["A999"])
    assert report.unknown_ids == ("A999", "https://openalex.org/A999")
    assert [(c.reason, c.reviewer_id) for c in report.conflicts] == [("author", "A999")]
