"""The topic map on a hand-made store whose vectors are built by hand (no model).

Three groups of works, each around its own axis of an 8-d space:

- THEORY: 8 works at COLT (2015-2017), "theorem ... regret bound" in the abstract,
  one author each from their own university, OpenAlex topic "Online learning";
- APPLIED: 8 works at NeurIPS (2016-2023), "clinical patient segmentation", 4 institutions
  named on the 4 even-numbered works (the odd ones name none);
- TROPICAL: 4 works (2022-2023) at NeurIPS on tropical geometry, all from one place.

The query works are two APPLIED works (an applied student's own papers).
"""

from __future__ import annotations

import numpy as np
import pytest

from labscout.errors import InputError
from labscout.index.vectors import ExactIndex
from labscout.rank.abstractness import AbstractParams, abstract_score
from labscout.rank.topics import (
    TopicParams,
    neighbourhood,
    sort_topics,
    topic_map,
)
from labscout.records import Authorship, Institution, Topic, Work
from labscout.store import Batch, Store

ONLINE = (Topic("T1", "Online learning", 0.9),)


def _w(wid, year, venue, abstract, insts, topics=()) -> Work:
    ships = tuple(
        Authorship(
            f"{wid}-a{k}", "first" if k == 0 else "last", k, institution_ids=(i,) if i else ()
        )
        for k, i in enumerate(insts)
    )
    return Work(
        wid, f"{wid} title", abstract=abstract, publication_year=year, venue=venue,
        authorships=ships, topics=topics,
    )  # fmt: skip


THEORY = [
    _w(f"T{k}", 2015 + k % 3, "COLT",
       "We prove a theorem giving a regret bound for bandit learning with experts.",
       (f"U{k}",), ONLINE)
    for k in range(8)
]  # fmt: skip
APPLIED = [
    _w(f"A{k}", 2016 + k, "NeurIPS",
       "A network for clinical patient scans improves segmentation of organs in hospitals.",
       (f"H{k % 4}", f"H{(k + 1) % 4}") if k % 2 == 0 else ("", ""))
    for k in range(8)
]  # fmt: skip
TROPICAL = [
    _w(f"G{k}", 2022 + k % 2, "NeurIPS",
       "Tropical geometry describes piecewise linear networks and their tropical polynomials.",
       ("ONE",))
    for k in range(4)
]  # fmt: skip
WORKS = THEORY + APPLIED + TROPICAL
INSTS = [
    Institution(i, f"Place {i}", type="education", country_code="DE")
    for i in sorted({i for w in WORKS for a in w.authorships for i in a.institution_ids if i})
]


class TinyIndex:
    """What topic_map needs of a SearchIndex: ids, rows, vectors, nearest-row search."""

    def __init__(self, work_ids: list[str], vectors: np.ndarray) -> None:
        self.work_ids = work_ids
        self.row_of = {w: i for i, w in enumerate(work_ids)}
        self.embeddings = vectors
        self.vectors = ExactIndex(vectors)

    def row_vectors(self, rows: list[int]) -> np.ndarray:
        return np.asarray(self.embeddings[rows], np.float32)


@pytest.fixture
def setup():
    rng = np.random.default_rng(0)
    vecs = []
    for w in WORKS:
        axis = {"T": 0, "A": 1, "G": 2}[w.id[0]]
        v = np.zeros(8, np.float32)
        v[axis] = 1.0
        v += rng.normal(0, 0.05, 8).astype(np.float32)
        vecs.append(v / np.linalg.norm(v))
    s = Store(":memory:")
    s.write(Batch(works=WORKS, institutions=INSTS))
    yield s, TinyIndex([w.id for w in WORKS], np.stack(vecs))
    s.close()


P = TopicParams(n_topics=3, min_topic_size=3, recent_years=2)


def _by_first_id(tmap):
    return {t.examples[0].work_id[0]: t for t in tmap.topics}


def test_the_three_groups_are_found_named_and_measured(setup) -> None:
    store, index = setup
    tmap = topic_map(store, index, ["A0", "A1"], P, query={"text": "my work"})
    assert tmap.n_works == 20 and tmap.reference_year == 2023
    t = _by_first_id(tmap)
    assert sorted(x.n_works for x in tmap.topics) == [4, 8, 8]
    assert {w.work_id[0] for w in t["T"].examples} == {"T"}
    # names: OpenAlex topic where most works carry one, else distinctive terms
    assert (t["T"].name, t["T"].name_basis) == ("Online learning", "openalex")
    assert "tropical" in t["G"].name and t["G"].name_basis == "terms"
    assert any("segmentation" in x or "clinical" in x for x in t["A"].terms)
    # size, groups, crowdedness
    assert (t["T"].n_groups, t["A"].n_groups, t["G"].n_groups) == (8, 4, 1)
    assert t["T"].crowdedness == 1.0  # one author a work
    assert t["A"].crowdedness == 2.0 and t["G"].crowdedness == 1.0
    # half of APPLIED names no institution: its 4 groups scale to 8
    assert (t["A"].affiliated_share, t["A"].groups_scaled) == (0.5, 8.0)
    assert (t["T"].affiliated_share, t["T"].groups_scaled) == (1.0, 8.0)
    assert t["G"].top_groups[0].institution_id == "ONE" and t["G"].top_groups[0].n_works == 4
    # growth: recent = 2022-2023
    assert t["T"].recent_share == 0.0 and t["G"].recent_share == 1.0
    assert t["A"].recent_share == 0.25
    assert t["G"].growth == pytest.approx(1.0 / (6 / 20), abs=1e-3)
    # where the query works sit
    assert t["A"].n_query_works == 2
    assert tmap.query["work_ids"] == ["A0", "A1"] and tmap.query["text"] == "my work"


def test_abstract_score_and_sorts(setup) -> None:
    store, index = setup
    tmap = topic_map(store, index, ["A0", "A1"], P)
    t = _by_first_id(tmap)
    # THEORY: COLT (+1) and theorem, prove, regret, bound (capped at 3 -> +1) = 2 per work
    assert t["T"].abstract.score == 2.0 and t["T"].abstract.theory_venue_share == 1.0
    assert dict(t["T"].abstract.theory_terms)["regret"] == 8
    # APPLIED: clinical, patient, hospital: -1 per work; TROPICAL: 0
    assert t["A"].abstract.score == -1.0 and t["G"].abstract.score == 0.0
    assert dict(t["A"].abstract.application_terms) == {"clinical": 8, "hospital": 8, "patient": 8}
    assert tmap.query_abstract.score == -1.0
    assert (t["T"].abstract_delta, t["A"].abstract_delta) == (3.0, 0.0)
    first = lambda ts: [x.examples[0].work_id[0] for x in ts]  # noqa: E731
    assert first(sort_topics(tmap.topics, "abstract")) == ["T", "G", "A"]
    assert first(sort_topics(tmap.topics, "more-abstract"))[0] in {"T", "G"}
    assert "A" not in first(sort_topics(tmap.topics, "more-abstract"))
    assert first(sort_topics(tmap.topics, "near"))[0] == "A"
    # exotic: TROPICAL is the smallest, the most recent and has the fewest groups
    assert first(sort_topics(tmap.topics, "exotic"))[0] == "G"
    assert _by_first_id(tmap)["G"].exotic == 1.0
    assert first(sort_topics(tmap.topics, "size"))[-1] == "G"
    assert first(topic_map(store, index, ["A0"], P, sort="exotic").topics)[0] == "G"
    assert not any(x.is_query_topic for x in tmap.topics)  # 2 of APPLIED's 8 works
    # when the query works are TROPICAL itself, it is their own topic: not exotic for them
    own = topic_map(store, index, ["G0", "G1", "G2"], P)
    assert [x.is_query_topic for x in own.topics if x.examples[0].work_id[0] == "G"] == [True]
    assert "G" not in first(sort_topics(own.topics, "exotic"))
    assert sort_topics(own.topics, "exotic") == ()  # the others are not growing
    # only growing topics are exotic: THEORY (nothing recent) and APPLIED (0.25 < 0.3) are not
    assert first(sort_topics(tmap.topics, "exotic")) == ["G"]
    d = tmap.to_dict()
    assert d["topics"][0]["abstract"]["score"] == tmap.topics[0].abstract.score


def test_abstract_score_rule_by_hand() -> None:
    p = AbstractParams()
    colt = Work("x", "A lower bound", abstract="We prove a theorem.", venue="COLT")
    app = Work("y", "Traffic forecasting", abstract="For clinical use.", venue="KDD")
    s = abstract_score([colt, app], p)
    # colt: 1 (venue) + min(3 terms: lower bound, prove, theorem, 3)/3 = 2; app: -2/3
    assert s.score == pytest.approx((2 - 2 / 3) / 2, abs=1e-4)
    assert s.theory_venues == (("COLT", 1),)
    assert abstract_score([], p).score == 0.0


def test_neighbourhood_and_errors(setup) -> None:
    store, index = setup
    rows = neighbourhood(index, [index.row_of["G0"]], 4)
    assert rows[0] == index.row_of["G0"]
    assert {index.work_ids[r][0] for r in rows} == {"G"}
    small = topic_map(store, index, ["G0"], TopicParams(neighbourhood=8, n_topics=2,
                                                       min_topic_size=2))  # fmt: skip
    assert small.n_works == 8
    with pytest.raises(InputError):
        topic_map(store, index, ["nope"], P)
    with pytest.raises(InputError):
        sort_topics((), "sideways")
    with pytest.raises(InputError):
        topic_map(store, index, ["A0"], TopicParams(method="magic"))


def test_other_clustering_methods_run(setup) -> None:
    store, index = setup
    agg = topic_map(store, index, ["A0"], TopicParams(n_topics=3, method="agglomerative"))
    assert sorted(t.n_works for t in agg.topics) == [4, 8, 8]
    hdb = topic_map(store, index, ["A0"], TopicParams(method="hdbscan", min_topic_size=3))
    assert sum(t.n_works for t in hdb.topics) + hdb.n_unclustered == 20
    assert len(hdb.topics) >= 2


# -- from a Query (what Labscout.topics, the CLI and the web call) ---------------------


def test_topics_for_a_query_of_liked_or_own_works(setup) -> None:
    from labscout.query import Query
    from labscout.rank.topic_query import topics_for_query

    store, index = setup
    liked = topics_for_query(store, index, Query(like=("A0", "A1")), "more-abstract", P)
    assert liked.query["like"] == ["A0", "A1"] and liked.query["work_ids"] == ["A0", "A1"]
    # more abstract than two clinical NeurIPS papers: the theory and tropical groups
    assert {t.examples[0].work_id[0] for t in liked.topics} == {"T", "G"}
    assert all(t.abstract_delta > 0 and not t.is_query_topic for t in liked.topics)
    top1 = topics_for_query(store, index, Query(like=("A0", "A1"), top=1), "size", P)
    assert len(top1.topics) == 1 and top1.topics[0].n_works == 8
    mine = topics_for_query(store, index, Query(mine="G1-a0"), "near", P)  # G1's author
    assert mine.query["work_ids"] == ["G1"] and mine.query["mine"] == "G1-a0"
    assert {w.work_id[0] for w in mine.topics[0].examples} == {"G"}  # nearest: their own
    with pytest.raises(InputError, match="nothing to map"):
        topics_for_query(store, index, Query(), "near", P)
    with pytest.raises(InputError, match="unknown topic sort"):
        topics_for_query(store, index, Query(like=("A0",)), "sideways", P)


def test_cli_topics(demo_db: str) -> None:
    from typer.testing import CliRunner

    from labscout.cli import app

    run = CliRunner()
    got = run.invoke(app, ["topics", "graph neural networks", "--top", "2", "--db", demo_db])
    assert got.exit_code == 0, got.output
    assert got.stdout.count(" works, ") == 2 and "abstract " in got.stdout
    assert "sorted by near" in got.stdout
    bad = run.invoke(app, ["topics", "graph neural networks", "--sort", "x", "--db", demo_db])
    assert bad.exit_code == 2 and "Use one of: near" in bad.output
    empty = run.invoke(app, ["topics", "--db", demo_db])
    assert empty.exit_code == 2 and "nothing to map" in empty.output
