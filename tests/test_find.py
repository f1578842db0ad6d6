"""find: fusion, works -> researchers, query resolution, and the whole path on the demo corpus."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import labscout
from labscout.cli import app
from labscout.errors import InputError, NotFoundError
from labscout.query import Query
from labscout.rank.aggregate import aggregate, authorship_credit, combine, recency_weight
from labscout.rank.find import find
from labscout.rank.params import RankParams
from labscout.rank.queries import normalize_title, resolve_bib, resolve_work
from labscout.rank.retrieve import fuse
from labscout.records import Authorship, Work
from labscout.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "search"
runner = CliRunner()


# demo_db: the session-wide demo store of tests/conftest.py


@pytest.fixture
def demo(demo_db):
    s = Store(demo_db, read_only=True)
    yield s
    s.close()


# -- fusion: hand-worked values ------------------------------------------------


def test_rrf_fusion_by_hand() -> None:
    lexical = [("a", 9.0), ("b", 5.0), ("c", 1.0)]
    dense = [("b", 0.9), ("a", 0.8), ("d", 0.1)]
    got = fuse(lexical, dense, RankParams(fusion="rrf", rrf_k=60))
    top = 2 / 61  # first in both lists
    assert got["a"] == pytest.approx((1 / 61 + 1 / 62) / top)
    assert got["b"] == pytest.approx((1 / 62 + 1 / 61) / top)
    assert got["c"] == pytest.approx((1 / 63) / top)
    assert got["d"] == pytest.approx((1 / 63) / top)
    assert fuse([("x", 1.0)], [("x", 0.5)], RankParams(fusion="rrf"))["x"] == pytest.approx(1.0)


def test_weighted_fusion_by_hand() -> None:
    lexical = [("a", 3.0), ("b", 2.0), ("c", 1.0)]
    dense = [("b", 0.9), ("a", 0.5), ("d", 0.1)]
    got = fuse(lexical, dense, RankParams(fusion="weighted", lexical_weight=0.7, dense_weight=0.3))
    # min-max: lexical a=1, b=0.5, c=0; dense b=1, a=0.5, d=0; divided by 0.7+0.3
    assert got == pytest.approx({"a": 0.85, "b": 0.65, "c": 0.0, "d": 0.0})
    only = fuse(lexical, dense, RankParams(fusion="dense"))
    assert only == pytest.approx({"b": 1.0, "a": 0.5, "d": 0.0})


# -- works -> researchers: hand-made records -----------------------------------


def _work(wid: str, authors: list[tuple[str, str]], year: int = 2024, corr=()) -> Work:
    return Work(
        id=wid,
        title=wid,
        publication_year=year,
        authorships=tuple(
            Authorship(aid, pos, i, is_corresponding=aid in corr)
            for i, (aid, pos) in enumerate(authors)
        ),
    )


def _team(wid: str, n: int, prefix: str) -> Work:
    people = [(f"{prefix}{i}", "middle") for i in range(n)]
    people[0] = (people[0][0], "first")
    people[-1] = (people[-1][0], "last")
    return _work(wid, people)


P = RankParams(reference_year=2024)


def test_a_40_author_paper_does_not_make_40_experts() -> None:
    big = _team("BIG", 40, "b")
    small = [_team(f"S{i}", 2, f"s{i}_") for i in range(5)]
    works = {w.id: w for w in [big, *small]}
    scores = {"BIG": 1.0, **{w.id: 0.5 for w in small}}
    ranked = aggregate(scores, works, P)
    top12 = [r.author_id for r in ranked[:12]]
    # only the big paper's first and last authors beat the ten authors of the small papers
    assert set(top12[:2]) == {"b0", "b39"}
    assert all(a.startswith("s") for a in top12[2:])
    middle = next(r for r in ranked if r.author_id == "b5")
    assert middle.score == pytest.approx(1.0 * P.weight_middle * P.team_size / 40)


def test_last_and_corresponding_authors_weigh_as_group_leaders() -> None:
    w = _work("W", [("f", "first"), ("m", "middle"), ("c", "middle"), ("l", "last")], corr={"c"})
    ranked = {r.author_id: r.score for r in aggregate({"W": 1.0}, {"W": w}, P)}
    assert ranked["l"] == ranked["c"] == P.weight_last
    assert ranked["f"] == P.weight_first
    assert ranked["m"] == P.weight_middle
    assert ranked["l"] > ranked["f"] > ranked["m"]
    solo = _work("S", [("s", "first")])
    assert authorship_credit(solo.authorships[0], 1, P) == P.weight_single


def test_recent_work_counts_more() -> None:
    half = P.recency_half_life
    assert recency_weight(2024, 2024, P) == 1.0
    assert recency_weight(2024 - half, 2024, P) == pytest.approx(0.5)  # one half-life
    assert recency_weight(2024 - 2 * half, 2024, P) == pytest.approx(0.25)
    assert recency_weight(None, 2024, P) == P.unknown_year_weight
    old = _work("OLD", [("o", "last")], year=2008)
    new = _work("NEW", [("n", "last")], year=2024)
    ranked = aggregate({"OLD": 1.0, "NEW": 0.6}, {"OLD": old, "NEW": new}, P)
    assert [r.author_id for r in ranked] == ["n", "o"]  # 0.6 beats 1.0 x 0.25


def test_old_defaults_let_more_matching_works_add_less_and_less() -> None:
    old = RankParams.legacy()
    assert combine([0.2, 1.0, 0.6], old) == pytest.approx(1.0 + 0.5 * 0.6 + 0.25 * 0.2)
    many = [1.0] * 20
    assert combine(many, old) == pytest.approx(sum(0.5**i for i in range(old.max_works)))


def test_defaults_sum_a_body_of_work() -> None:
    assert combine([0.2, 1.0, 0.6], P) == pytest.approx(1.8)
    assert combine([1.0] * 80, P) == pytest.approx(P.max_works)


def test_power_fusion_by_hand() -> None:
    lexical = [("a", 10.0), ("b", 5.0)]
    dense = [("b", 0.8), ("a", 0.4), ("d", -0.1)]
    params = RankParams(lexical_weight=0.75, dense_weight=0.25, lexical_power=4, dense_power=8)
    got = fuse(lexical, dense, params)
    # each list over its best, to the power; then 0.75 / 0.25 of each
    assert got["a"] == pytest.approx(0.75 * 1.0 + 0.25 * 0.5**8)
    assert got["b"] == pytest.approx(0.75 * 0.5**4 + 0.25 * 1.0)
    assert "d" not in got  # a negative cosine adds nothing


def test_many_relevant_works_beat_one_paper_sharing_words() -> None:
    # the example: one paper matching the query best, against a researcher whose
    # 17 works each match about half as well (and one work that barely matches)
    lexical = [("HOT", 10.0)] + [(f"X{i}", 5.3) for i in range(17)] + [("LOW", 1.0)]
    scores = fuse(lexical, [], P)
    works = {
        "HOT": _work("HOT", [("one", "first"), ("senior", "last")]),
        "LOW": _work("LOW", [("other", "last")]),
    }
    for i in range(17):
        works[f"X{i}"] = _work(f"X{i}", [(f"student{i}", "first"), ("expert", "last")])
    ranked = [r.author_id for r in aggregate(scores, works, P)]
    assert ranked[0] == "expert"
    old = RankParams.legacy().with_(reference_year=2024)
    old_ranked = [r.author_id for r in aggregate(fuse(lexical, [], old), works, old)]
    assert old_ranked[0] == "senior"  # the old defaults: the best 5 works, halving


def test_excluded_and_merged_people() -> None:
    w1 = _work("W1", [("x", "first"), ("y", "last")])
    w2 = _work("W2", [("x2", "first"), ("z", "last")])
    ranked = aggregate(
        {"W1": 1.0, "W2": 1.0}, {"W1": w1, "W2": w2}, P, exclude={"y"}, person_of={"x2": "x"}
    )
    ids = [r.author_id for r in ranked]
    assert "y" not in ids and "x2" not in ids
    x = next(r for r in ranked if r.author_id == "x")
    assert len(x.contributions) == 2  # one person with two ids ranks once with both works


def test_rank_params_are_documented() -> None:
    helps = RankParams.help()
    assert helps and all(helps.values()), [k for k, v in helps.items() if not v]
    with pytest.raises(ValueError):
        RankParams(fusion="magic")


# -- query resolution -----------------------------------------------------------


def test_like_resolves_openalex_ids_dois_and_arxiv_ids(demo) -> None:
    assert resolve_work(demo, "W2950642167") == "W2950642167"
    assert resolve_work(demo, "https://openalex.org/W2950642167") == "W2950642167"
    assert resolve_work(demo, "10.1609/AAAI.V35I12.17325") == "W3177318507"
    assert resolve_work(demo, "https://doi.org/10.1609/aaai.v35i12.17325") == "W3177318507"
    assert resolve_work(demo, "10.48550/arXiv.1612.00593") == "W2950642167"
    assert resolve_work(demo, "1612.00593") == "W2950642167"
    assert resolve_work(demo, "arXiv:1612.00593v2") == "W2950642167"
    for bad in ("W1", "10.1000/nothing", "1706.03762", "not an id"):
        with pytest.raises(NotFoundError) as err:
            resolve_work(demo, bad)
        assert err.value.hint


def test_like_bib_matches_by_doi_arxiv_then_title(demo) -> None:
    got = resolve_bib(demo, FIXTURES / "refs.bib")
    assert got.work_ids == ("W3177318507", "W2950642167", "W2519887557")
    assert got.n_entries == 4
    assert len(got.unmatched) == 1 and got.unmatched[0].startswith("knuth1984texbook")
    assert normalize_title(r"Semi-Supervised {G}raph \emph{Nets}!") == "semi supervised graph nets"


def test_mine_leaves_the_author_and_optionally_coauthors_out(demo) -> None:
    me = "A5070920982"
    mine = set(
        r[0]
        for r in demo.con.execute(
            "SELECT work_id FROM authorships WHERE author_id = ?", [me]
        ).fetchall()
    )
    co = set(
        r[0]
        for r in demo.con.execute(
            "SELECT author_id FROM authorships WHERE work_id IN (SELECT unnest(?))", [list(mine)]
        ).fetchall()
    ) - {me}
    r1 = labscout.find(demo, Query(mine=me, top=50))
    ids = {m.author_id for m in r1.matches}
    assert me not in ids and ids & co  # co-authors rank high on one's own topics
    assert set(r1.query["query_works"]) == mine
    r2 = labscout.find(demo, Query(mine="https://orcid.org/0000-0002-5588-4611", top=50,
                                   exclude_coauthors=True))  # fmt: skip
    ids2 = {m.author_id for m in r2.matches}
    assert me not in ids2 and not ids2 & co and ids2
    with pytest.raises(NotFoundError):
        labscout.find(demo, Query(mine="A0000000001"))


# -- end to end on the demo corpus -----------------------------------------------


def test_find_ranks_researchers_with_evidence_that_contains_them(demo) -> None:
    result = labscout.find(demo, Query(text="graph neural networks", top=10))
    assert len(result.matches) == 10
    scores = [m.score for m in result.matches]
    assert scores == sorted(scores, reverse=True)
    for m in result.matches:
        assert 1 <= len(m.evidence) <= RankParams().n_evidence
        for e in m.evidence:
            authors = {
                r[0]
                for r in demo.con.execute(
                    "SELECT author_id FROM authorships WHERE work_id = ?", [e.work.work_id]
                ).fetchall()
            }
            assert m.author_id in authors
        contributions = [e.contribution for e in m.evidence]
        assert contributions == sorted(contributions, reverse=True)
    # the query's words are in the best works' titles
    assert any("graph" in w.title.lower() for w in result.works[:3])
    assert json.loads(json.dumps(result.to_dict()))["matches"][0]["evidence"][0]["work"]["title"]


def test_since_keeps_recent_works_only(demo) -> None:
    result = labscout.find(demo, Query(text="language models", since=2023, top=10))
    assert result.matches
    assert all(e.work.year >= 2023 for m in result.matches for e in m.evidence)
    assert all(w.year >= 2023 for w in result.works)


def test_like_finds_the_liked_papers_authors(demo) -> None:
    params = RankParams(reference_year=2016)  # recency would weigh against a 2016 paper
    result = labscout.find(demo, Query(like=("1612.00593",), top=5), params=params)
    assert result.works[0].work_id == "W2950642167"  # the liked work matches itself best
    assert result.matches[0].evidence[0].work.work_id == "W2950642167"


def test_empty_query_is_an_input_error(demo) -> None:
    with pytest.raises(InputError):
        labscout.find(demo, Query(text="  "))


def test_fusions_all_run(demo) -> None:
    for fusion in ("rrf", "weighted", "lexical", "dense"):
        r = labscout.find(demo, "reinforcement learning", params=RankParams(fusion=fusion))
        assert r.matches and r.params["fusion"] == fusion


# -- CLI ----------------------------------------------------------------------------


def test_cli_find_formats(demo_db) -> None:
    out = runner.invoke(app, ["find", "point clouds", "--db", demo_db, "-f", "json", "--top", "3"])
    assert out.exit_code == 0, out.output
    assert len(json.loads(out.output)["matches"]) == 3
    out = runner.invoke(app, ["find", "--like-bib", str(FIXTURES / "refs.bib"), "--db", demo_db,
                              "-f", "csv", "-n", "4"])  # fmt: skip
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert len(rows) == 4 and rows[0]["top_work_id"]
    out = runner.invoke(app, ["find", "point clouds", "--db", demo_db, "--top", "2"])
    assert out.exit_code == 0 and "researcher" in out.output


def test_cli_find_errors_are_one_line(demo_db, tmp_path) -> None:
    out = runner.invoke(app, ["find", "--like", "W1", "--db", demo_db])
    assert out.exit_code == 2 and "Hint:" in out.output and "Traceback" not in out.output
    out = runner.invoke(app, ["find", "x", "--db", demo_db, "-f", "xml"])
    assert out.exit_code == 2
    db = tmp_path / "new.duckdb"
    Store(db).close()
    out = runner.invoke(app, ["find", "graphs", "--db", str(db)])
    assert out.exit_code == 2 and "labscout index" in out.output


def test_cli_index_reports_up_to_date(demo_db) -> None:
    out = runner.invoke(app, ["index", "--db", demo_db, "-q"])
    assert out.exit_code == 0, out.output
    assert "up to date" in out.output


def test_like_accepts_the_id_of_a_stored_work_from_any_source(store) -> None:
    from labscout.store.store import Batch

    store.write(Batch(works=[Work(id="paperlists:nips2018:00001", title="A paper", source="x")]))
    assert resolve_work(store, "paperlists:nips2018:00001") == "paperlists:nips2018:00001"


def test_reach_from_gives_coauthor_paths_per_match(demo) -> None:
    first = find(demo, Query(text="graph neural networks", top=3))
    top = first.matches[0]
    work = demo.get_work(top.evidence[0].work.work_id)
    coauthor = next(a.author_id for a in work.authorships if a.author_id != top.author_id)
    got = find(demo, Query(text="graph neural networks", top=3, reach_from=(coauthor,)))
    path = got.reach[top.author_id][0]
    assert path["hops"] == 1
    assert [p["id"] for p in path["people"]] == [coauthor, top.author_id]
    assert set(got.reach) == {m.author_id for m in got.matches}
    assert find(demo, Query(text="graph neural networks", top=3)).reach == {}


def test_reach_from_refs_are_sorted_into_ids_orcids_names() -> None:
    from labscout.rank.find import split_people_refs

    ids, orcids, names = split_people_refs(
        ["A123", "orcid:0000-0001-2345-6789", "0000-0002-1825-009X", "Ada Lovelace", " "]
    )
    assert ids == ["A123", "orcid:0000-0001-2345-6789"]
    assert orcids == ["0000-0002-1825-009X"]
    assert names == ["Ada Lovelace"]


def test_cli_find_reach_from(demo_db) -> None:
    with Store(demo_db, read_only=True) as s:
        top = find(s, Query(text="graph neural networks", top=1)).matches[0]
        work = s.get_work(top.evidence[0].work.work_id)
    coauthor = next(a.author_id for a in work.authorships if a.author_id != top.author_id)
    out = runner.invoke(
        app,
        ["find", "graph neural networks", "--db", demo_db, "--top", "1", "--reach-from", coauthor],
    )
    assert out.exit_code == 0, out.output
    assert "reach (1 step)" in out.output


def test_cli_index_quantised_usearch(tmp_path) -> None:
    import shutil

    from labscout.demo import demo_corpus_path
    from labscout.ingest import openalex_files

    db = tmp_path / "q.duckdb"
    with Store(db) as s:
        openalex_files(s, [demo_corpus_path()])
    out = runner.invoke(app, ["index", "--db", str(db), "--quantize", "i4", "-q"])
    assert out.exit_code == 2 and "unknown scalar type" in out.output
    out = runner.invoke(
        app, ["index", "--db", str(db), "--vectors", "usearch", "--quantize", "i8", "-q", "--json"]
    )
    assert out.exit_code == 0, out.output
    with Store(db, read_only=True) as s:
        got = find(s, Query(text="graph neural networks", top=3))
    assert got.index["vectors"] == "usearch" and len(got.matches) == 3
    shutil.rmtree(str(db) + ".labscout-index", ignore_errors=True)


def test_evidence_titles_are_shortened_at_a_word_boundary() -> None:
    from labscout.cli.common import short_title

    title = "Large Language Models for NLP Research: what we know"
    assert short_title(title, 200) == title
    got = short_title(title, 30)
    assert got == "Large Language Models for NLP…" and len(got) <= 30
    assert short_title("Large Language Models", 12) == "Large…"  # never "Large La"
    assert short_title("Supercalifragilistic", 6) == "Super…"
