"""Reviewer-paper affinity: the OpenReview expertise reader, scoring, the CSV, the command."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from labscout.cli import app
from labscout.errors import InputError
from labscout.rank.affinity import (
    CENTRE_MIN_REVIEWERS,
    PRUNE_MIN_TEXTS,
    affinity_from_files,
    centre_on_pool,
    compute_affinity,
    tfidf_rows,
    write_scores_csv,
)
from labscout.rank.scoring import weighted_fuse_arrays
from labscout.sources.openreview_expertise import (
    ExpertisePaper,
    read_archives,
    read_submissions,
)

FIX = Path(__file__).parent / "fixtures" / "affinity"
SUBS = FIX / "submissions.json"
ARCH = FIX / "archives"


def test_read_submissions_warns_and_keeps_the_first_duplicate() -> None:
    papers, warnings = read_submissions(SUBS)
    assert [p.id for p in papers] == ["sub-graph", "sub-speech", "sub-notitle"]
    assert papers[0].title.startswith("Message passing")  # the first of the duplicate keys
    assert papers[2].abstract == "" and papers[2].text == "Convex relaxations for sparse regression"
    assert papers[1].text.startswith("Streaming speech recognition with low latency transducers. ")
    assert any("duplicate submission key sub-graph" in w for w in warnings)
    assert any("sub-notitle has no abstract" in w for w in warnings)


def test_read_archives_warns_without_crashing() -> None:
    archives, warnings = read_archives(ARCH)
    assert list(archives) == ["~Ada_Graph1", "~Ben_Speech1", "~Cleo_Empty1"]
    assert [p.id for p in archives["~Ada_Graph1"]] == ["a1", "a2", "a3"]
    assert [p.id for p in archives["~Ben_Speech1"]] == ["b1", "b2"]
    assert archives["~Cleo_Empty1"] == []
    text = "\n".join(warnings)
    assert "~Ada_Graph1.jsonl:3: duplicate paper a2" in text
    assert "~Ada_Graph1.jsonl:4: paper a3 has no abstract" in text
    assert "~Ben_Speech1.jsonl:2: line skipped" in text
    assert "~Cleo_Empty1.jsonl: empty archive" in text


def test_unreadable_inputs_raise_input_errors(tmp_path: Path) -> None:
    bad = tmp_path / "s.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match="not a JSON object"):
        read_submissions(bad)
    bad.write_text("{oops", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        read_submissions(bad)
    with pytest.raises(InputError, match="no .jsonl archives"):
        read_archives(tmp_path)
    with pytest.raises(InputError, match="not found"):
        read_archives(tmp_path / "absent")


def test_openreview_v2_value_wrappers(tmp_path: Path) -> None:
    f = tmp_path / "s.json"
    rec = {"id": "p", "content": {"title": {"value": "T"}, "abstract": {"value": "A b."}}}
    f.write_text(json.dumps({"p": rec}), encoding="utf-8")
    papers, warnings = read_submissions(f)
    assert papers == [ExpertisePaper("p", "T", "A b.")] and warnings == []


def test_tfidf_affinity_every_pair_and_topical_order(tmp_path: Path) -> None:
    result = affinity_from_files(SUBS, ARCH, None)
    assert result.embedder == "tfidf"
    assert result.scores.shape == (3, 3)
    s = result.as_dict()
    assert len(s) == 9
    assert s[("sub-graph", "~Ada_Graph1")] > s[("sub-speech", "~Ada_Graph1")]
    assert s[("sub-speech", "~Ben_Speech1")] > s[("sub-graph", "~Ben_Speech1")]
    assert all(s[(p, "~Cleo_Empty1")] == 0.0 for p in result.paper_ids)
    assert any("empty archive" in w for w in result.warnings)
    out = tmp_path / "scores.csv"
    assert write_scores_csv(result, out) == 9
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["paper_id", "reviewer_id", "score"] and len(rows) == 10
    assert {r[1] for r in rows[1:]} == {"~Ada_Graph1", "~Ben_Speech1", "~Cleo_Empty1"}


def test_top_k_changes_the_order() -> None:
    subs = [ExpertisePaper("s", "", "alpha beta"), ExpertisePaper("t", "", "gamma delta")]
    arch = {
        "~R": [
            ExpertisePaper("1", "", "alpha beta"),
            ExpertisePaper("2", "", "gamma"),
            ExpertisePaper("3", "", "gamma gamma"),
            ExpertisePaper("4", "", "Gamma."),
        ]
    }
    # s has one perfect match; t three partial ones (cosine about 0.5 each)
    top1 = compute_affinity(subs, arch, None, top_k=1).as_dict()
    top3 = compute_affinity(subs, arch, None, top_k=3).as_dict()
    assert top1[("s", "~R")] > top1[("t", "~R")]
    assert top3[("t", "~R")] > top3[("s", "~R")]
    with pytest.raises(InputError):
        compute_affinity(subs, arch, None, top_k=0)
    with pytest.raises(InputError):
        compute_affinity(subs, arch, None, lexical_weight=1.5)


def test_weighted_fuse_arrays() -> None:
    a = np.array([[0.0, 1.0], [2.0, 4.0]])
    b = np.array([[10.0, 10.0], [10.0, 20.0]])
    fused = weighted_fuse_arrays([a, b], [0.5, 0.5])
    assert fused == pytest.approx(np.array([[0.0, 0.125], [0.25, 1.0]]))
    mask = np.array([[True, True], [True, False]])
    fused = weighted_fuse_arrays([a, b], [1.0, 0.0], mask=mask)
    assert fused == pytest.approx(np.array([[0.0, 0.5], [1.0, 0.0]]))
    assert not weighted_fuse_arrays([np.full((2, 2), 3.0)], [1.0]).any()
    with pytest.raises(ValueError):
        weighted_fuse_arrays([a], [0.5, 0.5])


@pytest.mark.embed
def test_affinity_command_with_the_default_embedder(tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    args = ["affinity", "--submissions", str(SUBS), "--archives", str(ARCH), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    assert "Warning: " in result.stderr and "empty archive" in result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 9
    score = {(r["paper_id"], r["reviewer_id"]): float(r["score"]) for r in rows}
    assert score[("sub-graph", "~Ada_Graph1")] > score[("sub-graph", "~Ben_Speech1")]
    assert score[("sub-speech", "~Ben_Speech1")] > score[("sub-speech", "~Ada_Graph1")]
    assert (tmp_path / "cache" / "embeddings.sqlite").is_file()


def test_affinity_command_bad_input_is_one_line(tmp_path: Path) -> None:
    args = ["affinity", "--submissions", str(tmp_path / "nope.json"), "--archives", str(ARCH)]
    result = CliRunner().invoke(
        app, [*args, "--out", str(tmp_path / "o.csv"), "--embedder", "none"]
    )
    assert result.exit_code == 2
    assert "Error: cannot read submissions file" in result.stderr
    assert "Traceback" not in result.output


def test_stop_words_only_and_no_submissions_do_not_crash() -> None:
    arch = {"~R": [ExpertisePaper("1", "The", "and of the")], "~S": []}
    subs = [ExpertisePaper("s", "", "it is the")]
    r = compute_affinity(subs, arch, "minilm-static", lexical_weight=1.0)
    assert r.embedder == "tfidf"  # weight 1: no model loaded, named honestly
    assert r.scores.shape == (1, 2) and not r.scores.any()
    assert compute_affinity([], arch, None).scores.shape == (0, 2)


def test_stemmed_tfidf_joins_word_forms() -> None:
    texts = ["Graphs of networks", "graph network"]
    stemmed = tfidf_rows(texts, stem=True)
    raw = tfidf_rows(texts, stem=False)
    assert (stemmed[0] @ stemmed[1].T).toarray()[0, 0] == pytest.approx(1.0)
    assert (raw[0] @ raw[1].T).toarray()[0, 0] == pytest.approx(0.0)


def test_centre_on_pool_subtracts_the_mean_over_reviewers_with_a_profile() -> None:
    n = CENTRE_MIN_REVIEWERS
    scores = np.arange(2 * (n + 1), dtype=np.float32).reshape(2, n + 1)
    valid = np.ones_like(scores, dtype=bool)
    valid[:, -1] = False  # a reviewer without profile: not in the mean, comes out 0
    out = centre_on_pool(scores, valid)
    for i in range(2):
        assert out[i, :n] == pytest.approx(scores[i, :n] - scores[i, :n].mean())
    assert not out[:, -1].any()
    few = valid.copy()
    few[1, 1:] = False  # one reviewer left for the second submission: left as it was
    out = centre_on_pool(scores, few)
    assert out[1, 0] == scores[1, 0] and not out[1, 1:].any()


def test_centring_demotes_a_paper_whose_words_everyone_uses() -> None:
    generic = ExpertisePaper("g", "", "learning model data")
    specific = ExpertisePaper("s", "", "kernel methods")
    arch = {"~R0": [ExpertisePaper("r0", "", "learning model data kernel")]}
    for i in range(1, CENTRE_MIN_REVIEWERS + 1):
        arch[f"~R{i}"] = [ExpertisePaper(f"r{i}", "", f"learning model data topic{i}x")]
    raw = compute_affinity([generic, specific], arch, None, centre_lexical=False).as_dict()
    centred = compute_affinity([generic, specific], arch, None).as_dict()
    # raw cosine: the generic paper matches R0 best; centred: the one only R0 shares
    assert raw[("g", "~R0")] > raw[("s", "~R0")]
    assert centred[("s", "~R0")] > centred[("g", "~R0")]


def _cos(rows, i: int, j: int) -> float:
    return float((rows[i] @ rows[j].T).toarray()[0, 0])


def test_pruning_keeps_the_words_that_can_tell_papers_apart() -> None:
    # every text: a word everyone uses, a word of its own, a word shared with one other
    texts = [f"zorblat uniq{i}x pairword{i // 2}x" for i in range(PRUNE_MIN_TEXTS)]
    pruned = tfidf_rows(texts, prune=True)
    full = tfidf_rows(texts, prune=False)
    # pruned: only the shared pair word is left, so the two texts of a pair are equal
    assert _cos(pruned, 0, 1) == pytest.approx(1.0)
    assert _cos(pruned, 0, 2) == pytest.approx(0.0)
    # unpruned: the common word links everyone and the own word dilutes the pair
    assert 0.0 < _cos(full, 0, 2) < _cos(full, 0, 1) < 0.99


def test_small_pools_and_fully_pruned_vocabularies_are_not_pruned() -> None:
    small = [f"zorblat uniq{i}x pairword{i // 2}x" for i in range(PRUNE_MIN_TEXTS - 1)]
    a, b = tfidf_rows(small, prune=True), tfidf_rows(small, prune=False)
    assert a.shape == b.shape and abs(a - b).max() == 0
    same = ["alpha beta gamma"] * PRUNE_MIN_TEXTS  # every word in every text
    rows = tfidf_rows(same, prune=True)
    assert _cos(rows, 0, 1) == pytest.approx(1.0)  # all words kept, not an empty model
