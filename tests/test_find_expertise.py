"""find on a hand-made store where the right answer is known: a body of relevant work
beats one paper that shares words with the query (issue 18)."""

from __future__ import annotations

import pytest

from labscout.index.build import build_index
from labscout.query import Query
from labscout.rank.find import find
from labscout.rank.params import RankParams
from labscout.records import Authorship, Work
from labscout.store import Store
from labscout.store.store import Batch

EXPERT_TITLES = [
    "Causal inference with instrumental variables",
    "Causal inference from observational time series",
    "Counterfactual causal inference for treatment effects",
    "Causal inference with latent confounders",
    "Causal inference under interference",
    "Causal inference with invariant prediction",
    "Semiparametric causal inference for mediation",
    "Causal inference from interventions",
    "Kernel methods for causal inference",
    "Causal inference in genomics",
]
OTHER_TITLES = [
    "Graph neural networks for molecules",
    "Protein folding with deep learning",
    "Reinforcement learning for robot grasping",
    "Bayesian optimisation of hyperparameters",
    "Speech recognition with transformers",
    "Image segmentation with convolutional networks",
    "Machine translation for low-resource languages",
    "Federated learning on mobile devices",
]


def _work(wid: str, title: str, authors: list[tuple[str, str]], year: int) -> Work:
    return Work(
        id=wid,
        title=title,
        publication_year=year,
        authorships=tuple(Authorship(a, pos, i) for i, (a, pos) in enumerate(authors)),
    )


@pytest.fixture
def causal_store(tmp_path):
    works = [
        _work(f"E{i}", t, [(f"student{i}", "first"), ("expert", "last")], 2021 + i % 4)
        for i, t in enumerate(EXPERT_TITLES)
    ]
    # one recent paper that says "causal inference" more than any other
    works.append(
        _work(
            "HOT",
            "Causal inference, causal inference everywhere: large language models",
            [("newcomer", "first"), ("llm_lead", "last")],
            2024,
        )
    )
    works += [
        _work(f"O{i}", t, [(f"other{i}", "first"), (f"boss{i}", "last")], 2023)
        for i, t in enumerate(OTHER_TITLES)
    ]
    s = Store(tmp_path / "causal.duckdb")
    s.write(Batch(works=works))
    build_index(s, cache=False)
    yield s
    s.close()


def test_a_body_of_relevant_work_ranks_first(causal_store) -> None:
    params = RankParams(reference_year=2024)
    got = find(causal_store, Query(text="causal inference", top=5), params=params)
    assert got.works[0].work_id == "HOT"  # the best single match is the recent paper ...
    assert got.matches[0].author_id == "expert"  # ... but the researcher with 10 works leads
    assert got.matches[0].n_works >= 5
    assert {e.work.work_id for e in got.matches[0].evidence} <= {f"E{i}" for i in range(10)}


def test_word_profiles_score_a_body_of_work(causal_store) -> None:
    from labscout.index.build import load_index
    from labscout.rank.profiles import profile_scores

    index = load_index(causal_store)
    got = profile_scores(causal_store, index, ["causal inference"], ["expert", "boss0", "nobody"])
    assert got["expert"] > 0.3  # ten works that all say both words
    assert got["boss0"] == 0.0  # graph neural networks: no query word
    assert got["nobody"] == 0.0  # no works, no profile


def test_blend_adds_the_profile_to_the_works_score() -> None:
    from labscout.rank.aggregate import AuthorScore
    from labscout.rank.profiles import blend

    ranked = [AuthorScore("a", 2.0, ()), AuthorScore("b", 1.0, ())]
    params = RankParams(profile_weight=0.5, profile_power=2)
    got = blend(ranked, {"a": 0.1, "b": 0.4}, params)
    # works: a 1.0, b 0.5; profiles over the best: a 0.25, b 1.0, squared
    assert [(s.author_id, s.score) for s in got] == [
        ("a", pytest.approx(1.0 + 0.5 * 0.25**2)),
        ("b", pytest.approx(0.5 + 0.5 * 1.0)),
    ]


def test_profiles_count_only_for_long_queries(causal_store) -> None:
    from labscout.index.build import load_index
    from labscout.rank.profiles import long_enough, query_terms

    index = load_index(causal_store)
    params = RankParams()
    assert not long_enough(query_terms(index, ["causal inference"]), params)
    assert long_enough(query_terms(index, EXPERT_TITLES), params)  # several texts add up
    every = params.with_(n_evidence=20, body_weight=0.0)  # every contribution listed
    short = find(causal_store, Query(text="causal inference", top=3), params=every)
    expert = short.matches[0]
    # no profile (and no body of work): the score is the plain sum of the contributions
    assert expert.score == pytest.approx(sum(e.contribution for e in expert.evidence), abs=1e-4)


def test_top_mean_padded_counts_missing_works_as_zero() -> None:
    import numpy as np

    from labscout.rank.body import top_mean_padded

    values = np.array([0.9, 0.1, 0.8, 0.7, 0.6, 0.9])
    groups = np.array([0, 0, 0, 0, 1, 2])
    got = top_mean_padded(values, groups, 4, 3)
    # group 0: its three best (0.9, 0.8, 0.7); groups 1 and 2: one work, a third of it;
    # group 3 has no works
    assert got == pytest.approx([0.8, 0.2, 0.3, 0.0])


def test_add_body_rescores_the_candidates_only() -> None:
    import numpy as np

    from labscout.rank.aggregate import AuthorScore
    from labscout.rank.body import add_body

    ranked = [AuthorScore("a", 4.0, ()), AuthorScore("b", 2.0, ()), AuthorScore("c", 1.0, ())]
    params = RankParams(body_weight=1.0, body_power=2.0)
    got = add_body(ranked, np.array([0.2, 0.4]), params, scaled=False)  # a and b are candidates
    # body over the best: a 0.5, b 1.0, squared, in units of the best score (4)
    assert [(s.author_id, s.score) for s in got] == [
        ("b", pytest.approx(2.0 + 4.0 * 1.0)),
        ("a", pytest.approx(4.0 + 4.0 * 0.25)),
        ("c", pytest.approx(1.0)),
    ]
    # scores already relative (after the profile blend): the unit is 1
    rel = add_body(ranked, np.array([0.2, 0.4]), params, scaled=True)
    assert [s.score for s in rel] == pytest.approx([4.25, 3.0, 1.0])
    # no body similarity at all: nothing changes
    assert add_body(ranked, np.array([0.0, 0.0]), params, scaled=False) == ranked


def test_body_of_work_reaches_past_the_retrieved_works(causal_store) -> None:
    from labscout.index.build import load_index
    from labscout.rank.body import body_scores
    from labscout.rank.profiles import author_works

    index = load_index(causal_store)
    vec = index.embed_queries(["causal inference"])
    who = ["expert", "newcomer", "boss0", "nobody"]
    got = body_scores(index, author_works(causal_store, index), vec, who, RankParams())
    # ten works on the topic against one; a stranger to the topic; no works at all
    assert got[0] > got[1] > got[2]
    assert got[3] == 0.0
    # find with a retrieval so shallow that each list keeps two works: the recent paper's
    # last author leads on the retrieved works, the expert's body of work puts them first
    shallow = RankParams(reference_year=2024, depth=2)
    top = find(causal_store, Query(text="causal inference", top=3), params=shallow)
    assert top.matches[0].author_id == "expert"
    off = find(causal_store, Query(text="causal inference", top=3),
               params=shallow.with_(body_weight=0.0))  # fmt: skip
    assert off.matches[0].author_id != "expert"


def test_legacy_defaults_have_no_body_of_work() -> None:
    assert RankParams.legacy().body_weight == 0.0
    assert RankParams().body_weight > 0
