"""The ladder: tiers, prestige, credit to institutions at the time of the paper,
filters, hidden gems and stepping stones on hand-made records; the whole path on
the demo corpus."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from labscout.cli import app
from labscout.errors import AmbiguousError, NotFoundError
from labscout.filters import REGIONS, Filters
from labscout.rank.institutions import LadderParams, rank_institutions
from labscout.rank.stepping import hidden_gems, resolve_institution, stepping_stones
from labscout.rank.tiers import FieldPrestige, Prestige, Tiering, assign_tiers, field_prestige
from labscout.records import Author, Authorship, Institution, Work
from labscout.results import Evidence, ResearcherMatch, WorkHit
from labscout.store import Batch, Store

# -- tiers -------------------------------------------------------------------------


def test_jenks_tiers_on_log_scale() -> None:
    # four clear groups a decade apart
    scores = {"a": 100, "b": 90, "c": 10, "d": 9, "e": 1, "f": 0.9, "g": 0.1, "h": 0.09}
    tiers, how = assign_tiers(scores, 4, "jenks")
    assert how.method == "jenks"
    assert tiers == {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3, "f": 3, "g": 4, "h": 4}
    assert how.counts == (2, 2, 2, 2)
    assert how.lower_bounds == (90, 9, 0.9, 0.09)


def test_jenks_differs_from_quantiles_on_a_heavy_tail() -> None:
    scores = {"top": 1000.0, **{f"x{i}": 1.0 + i / 100 for i in range(7)}, "low": 0.001}
    jenks, _ = assign_tiers(scores, 3, "jenks")
    assert jenks["top"] == 1 and all(jenks[f"x{i}"] == 2 for i in range(7))
    assert jenks["low"] == 3
    quant, how = assign_tiers(scores, 3, "quantiles")
    assert how.method == "quantiles"
    assert quant["top"] == 1 and quant["x6"] == 1  # top third of 9 places: 3 places
    assert how.counts == (3, 3, 3)


def test_ties_zeros_and_few_values() -> None:
    tiers, how = assign_tiers({"a": 5, "b": 5, "c": 1, "z": 0}, 4, "jenks")
    assert how.method == "quantiles"  # fewer distinct values than tiers
    assert tiers == {"a": 1, "b": 1, "c": 2, "z": 4}
    q, _ = assign_tiers(
        {k: v for k, v in zip("abcdefgh", [8, 7, 7, 5, 4, 3, 2, 1], strict=True)}, 4, "quantiles"
    )
    assert q["b"] == q["c"] == 1  # equal scores share the better tier
    with pytest.raises(ValueError):
        assign_tiers({"a": 1}, 4, "kmeans")


# -- a hand-made field -------------------------------------------------------------


def _work(wid, year, ships, cites=0) -> Work:
    """ships: (author, position, institution ids)."""
    return Work(
        wid,
        f"paper {wid}",
        publication_year=year,
        cited_by_count=cites,
        authorships=tuple(
            Authorship(a, pos, i, raw_author_name=a, institution_ids=tuple(insts))
            for i, (a, pos, insts) in enumerate(ships)
        ),
    )


INSTS = [
    Institution("IBIG", "Big University", country_code="US", type="education"),
    Institution("ILAB", "Industry Lab", country_code="GB", type="company"),
    Institution("ISMALL", "Small College", country_code="DE", type="education"),
    Institution("IMID", "Middle Institute", country_code="FR", type="facility"),
]
WORKS = [
    # R1 at Big (W1), then at Big and the Lab (W2: two institutions, credit split)
    _work("W1", 2023, [("R1", "last", ["IBIG"]), ("U1", "first", ["IBIG"])], cites=90),
    _work("W2", 2022, [("R1", "last", ["IBIG", "ILAB"]), ("U2", "first", ["ILAB"])], cites=10),
    # R2 at the Lab
    _work("W3", 2024, [("R2", "last", ["ILAB"]), ("U3", "first", ["IMID"])]),
    # R3 at Small: two recent last-author papers -> a hidden gem
    _work("W4", 2023, [("R3", "last", ["ISMALL"]), ("U4", "first", ["ISMALL"])]),
    _work("W5", 2024, [("R3", "last", ["ISMALL"]), ("U5", "first", ["ISMALL"])]),
    # R4: no institution on the paper -> credited to nobody
    _work("W6", 2024, [("R4", "last", [])]),
    # R5 at Middle, co-writing with someone at Small: a stepping stone for Small
    _work("W7", 2021, [("R5", "last", ["IMID"]), ("U6", "first", ["ISMALL"])]),
    # old work: outside the prestige window
    _work("W0", 2005, [("R1", "first", ["ISMALL"])], cites=1000),
]


@pytest.fixture
def field(store: Store) -> Store:
    store.write(
        Batch(
            works=WORKS,
            institutions=INSTS,
            authors=[Author(a, f"Name {a}") for a in ("R1", "R2", "R3", "R4", "R5")],
        )
    )
    return store


def _ev(wid, year, contribution, position="last") -> Evidence:
    return Evidence(
        WorkHit(wid, f"paper {wid}", year, None, contribution), contribution, position, 0, 2, False
    )


def _m(rank, aid, evidence, decay=0.5) -> ResearcherMatch:
    score = sum(e.contribution * decay**i for i, e in enumerate(evidence))
    return ResearcherMatch(rank, aid, f"Name {aid}", score, len(evidence), evidence=tuple(evidence))


MATCHES = [
    _m(1, "R1", [_ev("W1", 2023, 0.8), _ev("W2", 2022, 0.6)]),  # 0.8 + 0.3
    _m(2, "R3", [_ev("W4", 2023, 0.7), _ev("W5", 2024, 0.5)]),  # 0.7 + 0.25
    _m(3, "R2", [_ev("W3", 2024, 0.5)]),
    _m(4, "R5", [_ev("W7", 2021, 0.3)]),
    _m(5, "R4", [_ev("W6", 2024, 0.2)]),
]


def test_field_prestige_shares(field: Store) -> None:
    fp = field_prestige(field, years=10, n_tiers=2)
    assert fp.window == (2015, 2024)
    assert fp.n_works == 7 and fp.n_citations == 100  # W0 (2005) is outside
    big = fp.of("IBIG")
    assert big.n_works == 2 and big.works_share == pytest.approx(2 / 7)
    assert big.citations == 100 and big.citations_share == pytest.approx(1.0)
    assert big.value == pytest.approx((2 / 7 + 1) / 2)
    small = fp.of("ISMALL")  # W4, W5, W7 (U6)
    assert small.n_works == 3 and small.citations == 0
    assert fp.of("NOWHERE").tier == 2 and fp.of("NOWHERE").n_works == 0


def test_credit_follows_the_institution_on_each_paper(field: Store) -> None:
    fp = field_prestige(field, 10, 2)
    ranked, tiering, tiers, lost = rank_institutions(field, MATCHES, fp, 5, 0.5)
    strength = {r.institution_id: r.score for r in ranked}
    assert strength["IBIG"] == pytest.approx(0.8 + 0.15)
    assert strength["ILAB"] == pytest.approx(0.15 + 0.5)
    assert strength["ISMALL"] == pytest.approx(0.7 + 0.25)
    assert strength["IMID"] == pytest.approx(0.3)
    assert lost == pytest.approx(0.2)  # R4's paper names no institution
    # every bit of fit is credited somewhere or counted as lost
    assert sum(strength.values()) + lost == pytest.approx(sum(m.score for m in MATCHES))
    lab = next(r for r in ranked if r.institution_id == "ILAB")
    assert [p.author_id for p in lab.researchers] == ["R2", "R1"]
    assert lab.researchers[1].works[0].work_id == "W2"
    assert lab.researchers[1].credit == pytest.approx(0.15)
    assert [r.rank for r in ranked] == [1, 2, 3, 4]
    assert set(tiers) == {"IBIG", "ILAB", "ISMALL", "IMID"}


def test_filters_pick_institutions_but_keep_tiers(field: Store) -> None:
    fp = field_prestige(field, 10, 2)
    params = LadderParams(n_tiers=2)
    every, _, tiers, _ = rank_institutions(field, MATCHES, fp, 5, 0.5, params)
    only, _, tiers2, _ = rank_institutions(
        field, MATCHES, fp, 5, 0.5, params, Filters.parse(region="europe", type="company")
    )
    assert [r.institution_id for r in only] == ["ILAB"]
    assert tiers == tiers2
    assert only[0].tier == next(r.tier for r in every if r.institution_id == "ILAB")


def _fixed_field(tiers: dict[str, int]) -> FieldPrestige:
    by = {i: Prestige(1, 0.1, 0, 0.0, 0.1, t) for i, t in tiers.items()}
    return FieldPrestige((2015, 2024), 7, 100, by, Tiering("jenks", 4, (0.0,) * 4, (1,) * 4))


def test_hidden_gem_rule(field: Store) -> None:
    fp = _fixed_field({"IBIG": 1, "ILAB": 2, "ISMALL": 4, "IMID": 3})
    gems = hidden_gems(field, MATCHES, fp, LadderParams(), Filters(), 2024, "topic X")
    # R3: tier 4 place, two papers since 2020 -> a gem; R5 (tier 3) has only one;
    # R1 and R2 are at tier 1 and 2 places
    assert [g.author_id for g in gems] == ["R3"]
    g = gems[0]
    assert (g.institution_id, g.field_tier, g.n_recent, g.n_recent_last) == ("ISMALL", 4, 2, 2)
    assert g.reason.startswith(
        "2 papers on topic X since 2020, last-author on 2; Small College in tier 4 of 4"
    )
    loose = LadderParams(gem_min_works=1)
    got = hidden_gems(field, MATCHES, fp, loose, Filters(), 2024, "X")
    assert [g.author_id for g in got] == ["R3", "R5"]  # ranked by fit
    assert hidden_gems(field, MATCHES, fp, LadderParams(gem_top=1), Filters(), 2024, "X") == ()
    strict = LadderParams(gem_min_tier=4, gem_min_works=1)
    assert [g.author_id for g in hidden_gems(field, MATCHES, fp, strict, Filters(), 2024, "X")] == [
        "R3"
    ]
    us_only = Filters.parse(country="US")
    assert hidden_gems(field, MATCHES, fp, LadderParams(), us_only, 2024, "X") == ()


def test_stepping_stones(field: Store) -> None:
    fp = _fixed_field({"IBIG": 1, "ILAB": 1, "ISMALL": 4, "IMID": 3})
    ranked, _, _, _ = rank_institutions(field, MATCHES, fp, 5, 0.5)
    # hand-set ladder tiers: Big 1, Lab 2, Middle 3, Small 4
    tiers = {"IBIG": 1, "ILAB": 2, "IMID": 3, "ISMALL": 4}
    ranked = [r.__class__(**{**r.__dict__, "tier": tiers[r.institution_id]}) for r in ranked]
    info, stones = stepping_stones(field, "ISMALL", ranked, tiers, fp, LadderParams())
    assert info["tier"] == 4
    # Middle (tier 3) has R5, who wrote W7 with U6 of Small; Lab (tier 2) has nobody
    # who wrote with someone at a tier-4 place
    assert [(s.institution_id, s.researcher_id, s.coauthor_id, s.work_id) for s in stones] == [
        ("IMID", "R5", "U6", "W7")
    ]
    assert "Small College" in stones[0].reason
    top, none = stepping_stones(field, "IBIG", ranked, tiers, fp, LadderParams())
    assert top["tier"] == 1 and none == ()
    off, _ = stepping_stones(field, "NEW", ranked, tiers, fp, LadderParams())
    assert off["tier"] == 5 and "not on this topic's ladder" in off["basis"]


def test_resolve_institution(field: Store) -> None:
    assert resolve_institution(field, "small college") == "ISMALL"
    assert resolve_institution(field, "ILAB") == "ILAB"
    assert resolve_institution(field, "Middle") == "IMID"
    with pytest.raises(AmbiguousError, match="2 institutions"):
        resolve_institution(field, "st")  # Industry Lab, Middle Institute
    with pytest.raises(NotFoundError):
        resolve_institution(field, "Atlantis")


# -- the whole path on the demo corpus ---------------------------------------------


# demo_db: the session-wide demo store of tests/conftest.py


def test_ladder_cli_on_demo(demo_db: str) -> None:
    runner = CliRunner()
    got = runner.invoke(
        app, ["ladder", "graph neural networks", "--db", demo_db, "-f", "json", "--top", "50"]
    )
    assert got.exit_code == 0, got.output
    data = json.loads(got.output)
    insts = data["institutions"]
    assert insts and insts[0]["rank"] == 1
    assert [r["score"] for r in insts] == sorted((r["score"] for r in insts), reverse=True)
    assert sum(data["tiering"]["counts"]) >= len(insts)
    for r in insts:
        # every credit comes from a stored work that names the institution
        for p in r["researchers"]:
            assert p["credit"] <= p["fit"] + 1e-5
            assert p["credit"] == pytest.approx(sum(w["credit"] for w in p["works"]), abs=1e-5)
    with Store(demo_db, read_only=True) as s:
        r = insts[0]
        w = r["researchers"][0]["works"][0]["work_id"]
        ships = s.get_works([w])[0].authorships
        assert any(r["institution_id"] in a.institution_ids for a in ships)
    table = runner.invoke(
        app,
        ["ladder", "graph neural networks", "--db", demo_db, "--type", "company", "--top", "3"],
    )
    assert table.exit_code == 0, table.output
    assert "institution" in table.output
    bad = runner.invoke(app, ["ladder", "x", "--db", demo_db, "--region", "atlantis"])
    assert bad.exit_code == 2 and "unknown region" in bad.output
    bad = runner.invoke(app, ["ladder", "x", "--db", demo_db, "--tiers", "1"])
    assert bad.exit_code == 2 and "--tiers 1" in bad.output
    stones = runner.invoke(
        app,
        ["ladder", "graph neural networks", "--db", demo_db, "-f", "json", "--from", "Atlantis"],
    )
    assert stones.exit_code == 2 and "no institution named like 'Atlantis'" in stones.output
    for r in json.loads(
        runner.invoke(
            app,
            ["ladder", "graph neural networks", "--db", demo_db, "-f", "json", "--country", "US"],
        ).output
    )["institutions"]:
        assert r["country_code"] == "US"


def test_find_filters_on_demo(demo_db: str) -> None:
    runner = CliRunner()
    args = ["find", "graph neural networks", "--db", demo_db, "-f", "json", "--top", "5"]
    every = json.loads(runner.invoke(app, args).output)["matches"]
    got = runner.invoke(app, [*args, "--region", "europe", "--active-since", "2018"])
    assert got.exit_code == 0, got.output
    europe = json.loads(got.output)["matches"]
    assert europe and len(europe) <= 5
    assert [m["rank"] for m in europe] == list(range(1, len(europe) + 1))
    with Store(demo_db, read_only=True) as s:
        for m in europe:
            cc = s.get_institution(m["institution_id"]).country_code
            assert cc in REGIONS["europe"]
    assert {m["author_id"] for m in europe} != {m["author_id"] for m in every}


def test_hidden_gem_groups(field: Store) -> None:
    from labscout.rank.stepping import hidden_gem_groups

    fp = _fixed_field({"IBIG": 1, "ILAB": 2, "ISMALL": 4, "IMID": 3})
    ranked, _, _, _ = rank_institutions(field, MATCHES, fp, 5, 0.5, LadderParams(n_tiers=2))
    tiers = {r.institution_id: r.tier for r in ranked}
    got = hidden_gem_groups(ranked, fp, LadderParams(n_tiers=2), "topic X")
    # the top half of 2 tiers is tier 1; of those, field tier >= 3
    want = [r.institution_id for r in ranked if tiers[r.institution_id] == 1]
    want = [i for i in want if fp.of(i).tier >= 3]
    assert [g.institution_id for g in got] == want
    assert "ISMALL" in want and "IBIG" not in want
    g = next(g for g in got if g.institution_id == "ISMALL")
    assert g.reason.startswith("tier 1 of 2 for topic X (strength 0.950, 1 researchers: Name R3)")
    assert "tier 4 of 4 for the field" in g.reason


def test_quantiles_when_jenkspy_is_missing(monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "jenkspy", None)  # import raises ImportError
    scores = {k: float(v) for k, v in zip("abcdefgh", [80, 70, 60, 50, 4, 3, 2, 1], strict=True)}
    tiers, how = assign_tiers(scores, 4, "jenks")
    assert how.method == "quantiles"
    assert [tiers[k] for k in "abcdefgh"] == [1, 1, 2, 2, 3, 3, 4, 4]
