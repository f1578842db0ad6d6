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
    every = params.with_(n_evidence=20)  # every contribution listed
    short = find(causal_store, Query(text="causal inference", top=3), params=every)
    expert = short.matches[0]
    # no profile: the score is the plain sum of the researcher's contributions
    assert expert.score == pytest.approx(sum(e.contribution for e in expert.evidence), abs=1e-4)
