"""The plan on a hand-made field whose answer is known.

Six places work on "spectral graph bounds": U1 with 6 papers, U2 5, the company
lab C1 4, U3 3, U4 2, U5 1 (each paper by one lead researcher, last author, and a
student, first author, both at the place). With 3 tiers cut by quantiles, U1 and
U2 are tier 1, C1 and U3 tier 2, U4 and U5 tier 3. K knows R1 (U1's lead) from an
off-topic paper; nobody knows R5. RU3 wrote an off-topic paper with B of U5.
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from labscout import Labscout, Query
from labscout.cli import app
from labscout.errors import InputError, NotFoundError
from labscout.filters import Filters
from labscout.index.build import build_index
from labscout.planning import PlanParams
from labscout.planning.bands import Position, band_of, median_tier
from labscout.planning.export import to_html, to_markdown
from labscout.rank.institutions import LadderParams
from labscout.records import Author, Authorship, Institution, Work
from labscout.store import Batch, Store

TOPIC = "spectral graph bounds"
TEXT = "Spectral graph bounds for learning"
LP = LadderParams(n_tiers=3, tier_method="quantiles")
PLACES = [("U1", 6, "education"), ("U2", 5, "education"), ("C1", 4, "company"),
          ("U3", 3, "education"), ("U4", 2, "education"), ("U5", 1, "education")]  # fmt: skip
NAMES = {"U5": "Small <b>College</b> & Co"}


def _works() -> list[Work]:
    out = []
    for place, n, _ in PLACES:
        lead = "R" + place
        for k in range(n):
            student = f"S{place}{k}"
            out.append(
                Work(
                    f"W{place}{k}",
                    TEXT,
                    abstract=f"{TEXT}: eigenvalue bounds for graph learning.",
                    publication_year=2024,
                    doi=f"10.1234/{place.lower()}.{k}" if k == 0 else None,
                    authorships=(
                        Authorship(student, "first", 0, raw_author_name=student,
                                   institution_ids=(place,)),
                        Authorship(lead, "last", 1, raw_author_name=lead,
                                   institution_ids=(place,)),
                    ),  # fmt: skip
                )
            )
    out.append(
        Work(
            "WK",
            "Medieval poetry corpora",
            abstract="Rhymes in medieval poetry.",
            publication_year=2020,
            authorships=(Authorship("K", "first", 0, raw_author_name="K"),
                         Authorship("RU1", "last", 1, raw_author_name="RU1")),  # fmt: skip
        )
    )
    # a stepping stone: R of U3 wrote (off topic) with B of U5, a tier-3 place below U4
    out.append(
        Work(
            "WB",
            "Harbour tolls in medieval Bruges",
            abstract="Tolls and ships.",
            publication_year=2023,
            authorships=(Authorship("B", "first", 0, raw_author_name="B", institution_ids=("U5",)),
                         Authorship("RU3", "last", 1, raw_author_name="RU3")),  # fmt: skip
        )
    )
    return out


@pytest.fixture(scope="module")
def field_db(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("plan") / "plan.duckdb"
    people = {a.author_id for w in _works() for a in w.authorships}
    with Store(path) as store:
        store.write(
            Batch(
                works=_works(),
                institutions=[
                    Institution(p, NAMES.get(p, f"Place {p}"), country_code="GB", type=t)
                    for p, _, t in PLACES
                ],
                authors=[Author(a, f"Person {a}") for a in sorted(people)],
            )
        )
        build_index(store)
    return str(path)


@pytest.fixture(scope="module")
def ls(field_db: str):
    core = Labscout(field_db)
    yield core
    core.close()


def _plan(ls: Labscout, **kw):
    return ls.plan(Query(text=TOPIC, **kw), PlanParams(per_band=5), LP)


def _bands(plan) -> dict[str, list[str]]:
    return {b.name: [t.institution_id for t in b.targets] for b in plan.bands}


def test_band_rule() -> None:
    me = Position("X", "X", 3, 9, True, "")
    assert band_of(1, 1, me) == "reach" and band_of(2, 4, me) == "reach"
    assert band_of(3, 10, me) == "match" and band_of(4, 20, me) == "safer"
    assert band_of(1, 1, Position("X", "X", 4, 30, True, "")) is None  # three tiers above
    top = Position("X", "X", 1, 5, True, "")
    assert band_of(1, 2, top) == "reach" and band_of(1, 7, top) == "match"
    assert median_tier({"a": 1, "b": 1, "c": 2, "d": 3}) == 1
    assert median_tier({}) == 1


def test_bands_relative_to_from(ls: Labscout) -> None:
    plan = _plan(ls, from_institution="Place U4")
    assert plan.start["institution_id"] == "U4" and plan.start["tier"] == 3
    # U3's lead has a stepping stone to U4's tier (B of U5): U3 comes first in reach
    assert _bands(plan) == {"reach": ["U3", "U1", "U2"], "match": ["U5"], "safer": []}
    u3 = plan.bands[0].targets[0]
    assert u3.bridge and "Harbour tolls in medieval Bruges" in u3.bridge
    assert NAMES["U5"] in u3.bridge
    assert plan.bands[0].targets[1].bridge is None
    top = _plan(ls, from_institution="U2")
    assert _bands(top) == {"reach": ["U1"], "match": [], "safer": ["U3"]}
    assert "ranked above yours" in top.bands[0].rule


def test_without_from_the_median_tier(ls: Labscout) -> None:
    plan = _plan(ls)
    assert plan.start["institution_id"] is None and plan.start["tier"] == 2
    assert "median tier" in plan.start["basis"] and plan.start["basis"] in plan.notes
    assert _bands(plan) == {"reach": ["U1", "U2"], "match": ["U3"], "safer": ["U4", "U5"]}


def test_unknown_from_is_not_found_with_a_hint(ls: Labscout) -> None:
    with pytest.raises(NotFoundError) as exc:
        _plan(ls, from_institution="University of Nowhere")
    assert exc.value.hint
    with pytest.raises(InputError):
        ls.plan(Query())


def test_internship_targets_are_only_companies(ls: Labscout) -> None:
    plan = _plan(ls, from_institution="U4")
    assert [t.institution_id for t in plan.internships] == ["C1"]
    assert all(t.type == "company" and t.kind == "internship" for t in plan.internships)
    assert all(t.type != "company" for b in plan.bands for t in b.targets)
    edu = ls.plan(Query(text=TOPIC, filters=Filters.parse(type="education")), None, LP)
    assert edu.internships == () and "--type" in edu.internship_note


def test_path_from_a_known_person(ls: Labscout) -> None:
    plan = _plan(ls, from_institution="U4", reach_from=("K",))
    by_place = {t.institution_id: t for t in plan.targets()}
    u1 = by_place["U1"]
    assert u1.researchers[0].author_id == "RU1"
    assert u1.path is not None and u1.path["hops"] == 1
    assert [p["id"] for p in u1.path["people"]] == ["K", "RU1"]
    assert u1.path["edges"][0]["works"][0]["id"] == "WK"
    assert by_place["U5"].path is None and "no co-author path" in by_place["U5"].path_note
    assert plan.known[0]["id"] == "K"


def test_targets_carry_their_evidence(ls: Labscout) -> None:
    plan = _plan(ls, from_institution="U4")
    for t in plan.targets():
        assert t.read_first and len(t.read_first) <= 3
        place = t.institution_id
        assert all(w.work_id.startswith(f"W{place}") for w in t.read_first)
        assert t.evidence and all(e["work_id"].startswith(f"W{place}") for e in t.evidence)
        assert t.researchers[0].name in t.shared_topic
        assert '"spectral"' in t.shared_topic and '"bounds"' in t.shared_topic
        assert t.takes_students["summary"] and t.activity["n_recent"] >= 1
        assert t.hosts_interns["summary"]


def test_every_work_is_linked_and_exports_as_bibtex(ls: Labscout) -> None:
    plan = _plan(ls, from_institution="U4")
    works = [*plan.reading, *(w for t in plan.targets() for w in t.read_first)]
    assert plan.reading and works
    assert all(re.match(r"^https?://", w.url) for w in works)
    assert any(w.url == "https://doi.org/10.1234/u1.0" and w.link_kind == "doi" for w in works)
    bib = plan.bibtex()
    ids = {w.work_id for w in works}
    assert bib.count("@") == len(ids)
    assert "url = {https://doi.org/10.1234/u1.0}" in bib


def test_html_export_is_self_contained_and_escaped(ls: Labscout) -> None:
    plan = _plan(ls, from_institution="U4")
    page = to_html(plan)
    for banned in ("<script", "<link", " src=", "@import", "url("):
        assert banned not in page
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs)
    assert "Small &lt;b&gt;College&lt;/b&gt; &amp; Co" in page and "<b>College" not in page
    for section in ("Reach", "Match", "Safer", "Internships", "Reading list"):
        assert section in page
    md = to_markdown(plan)
    assert "## Internships" in md and "(<https://doi.org/10.1234/u1.0>)" in md
    assert "Small \\<b\\>College\\</b\\> & Co" in md


def test_cli_formats_and_output_file(field_db: str, tmp_path) -> None:
    runner = CliRunner()
    base = ["plan", TOPIC, "--from", "U4", "--know", "K", "--db", field_db]
    got = runner.invoke(app, [*base, "--format", "json"])
    assert got.exit_code == 0, got.output
    data = json.loads(got.stdout)
    assert [b["name"] for b in data["bands"]] == ["reach", "match", "safer"]
    assert "seconds" not in data and data["query"]["from_institution"] == "U4"
    out = tmp_path / "plan.html"
    got = runner.invoke(app, [*base, "--format", "html", "-o", str(out)])
    assert got.exit_code == 0, got.output
    assert out.read_text().startswith("<!DOCTYPE html>")
    table = runner.invoke(app, [*base])
    assert table.exit_code == 0 and "REACH" in table.stdout and "READING LIST" in table.stdout
    bad = runner.invoke(app, ["plan", TOPIC, "--from", "Nowhere U", "--db", field_db])
    assert bad.exit_code == 2 and "Hint:" in bad.output


def test_liked_works_alone_make_a_plan(ls: Labscout) -> None:
    plan = ls.plan(Query(like=("WU30",), reach_from=("K",)), None, LP)
    assert plan.query["query_works"] == ["WU30"] and plan.query["reach_from"] == ["K"]
    assert TEXT in plan.reading_note  # the reading list is for the liked work's title
    assert {t.institution_id for t in plan.targets()} >= {"U1", "C1"}


def test_linked_works_name_authors_as_the_paper_prints_them() -> None:
    """The plan's linked works follow the reading list's rule: the name printed on the
    paper first, the stored display name only where the paper gives none."""
    from labscout.planning.targets import author_names

    w = Work(
        id="W9",
        title="A paper",
        authorships=(
            Authorship("A2", "last", 1, raw_author_name=None),
            Authorship("A1", "first", 0, raw_author_name="J. Smith"),
            Authorship("A3", "middle", 2),
        ),
    )
    names = {"A1": "Jane Smith", "A2": "Bo Li"}
    assert author_names(w, names) == ("J. Smith", "Bo Li", "A3")
