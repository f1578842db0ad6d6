"""Indexes: BM25 + embeddings beside the store, staleness, incremental embedding."""

from __future__ import annotations

import json

import numpy as np
import pytest

from labscout.errors import IndexStateError
from labscout.index import vectors as V
from labscout.index.build import (
    build_index,
    index_path_for,
    index_state,
    load_index,
    read_manifest,
    work_text,
)
from labscout.index.lexical import LexicalIndex
from labscout.records import Authorship, MergedId, Work
from labscout.store import Store
from labscout.store.store import Batch

TITLES = {
    "W1": ("Graph neural networks for molecules", "We learn message passing on molecular graphs."),
    "W2": ("Protein folding with deep learning", "Structure prediction from sequences."),
    "W3": ("Reinforcement learning for robot grasping", None),
    "W4": ("Bayesian optimisation of hyperparameters", "Gaussian processes guide the search."),
    "W5": ("Speech recognition with transformers", "Attention models for audio."),
}


def _work(wid: str, title: str, abstract: str | None, year: int = 2020) -> Work:
    return Work(
        id=wid,
        title=title,
        abstract=abstract,
        publication_year=year,
        authorships=(Authorship(f"A{wid}", "first", 0),),
    )


@pytest.fixture
def small_store(tmp_path):
    s = Store(tmp_path / "small.duckdb")
    s.write(Batch(works=[_work(w, t, a) for w, (t, a) in TITLES.items()]))
    yield s
    s.close()


def _rows(path) -> dict:
    return json.loads((path / "rows.json").read_text())


def test_index_lives_beside_the_store_with_a_manifest(small_store) -> None:
    report = build_index(small_store, cache=False)
    folder = index_path_for(small_store)
    assert str(folder) == small_store.path + ".labscout-index"
    assert report.n_works == 5 and report.n_embedded == 5
    m = read_manifest(folder)
    assert m["store_fingerprint"] == small_store.fingerprint()
    assert m["embedder"]["name"] == report.embedder
    assert m["lexical"]["kind"] == "bm25s" and m["lexical"]["k1"] > 0
    assert m["vectors"]["kind"] == "exact"
    assert "bm25s" in m["versions"] and "numpy" in m["versions"]
    emb = np.fromfile(folder / "embeddings.f32", dtype=np.float32).reshape(5, m["dim"])
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-4)


def test_stale_index_is_refused_with_a_hint_then_rebuilt(small_store) -> None:
    build_index(small_store, cache=False)
    assert index_state(small_store) == "fresh"
    load_index(small_store)  # fresh: opens
    small_store.write(Batch(works=[_work("W6", "Quantum error correction codes", None)]))
    assert index_state(small_store) == "stale"
    with pytest.raises(IndexStateError) as err:
        load_index(small_store)
    assert "labscout index" in err.value.hint
    idx = load_index(small_store, on_stale="rebuild")
    assert len(idx) == 6 and index_state(small_store) == "fresh"


def test_missing_index_is_refused(small_store) -> None:
    with pytest.raises(IndexStateError, match="no search index"):
        load_index(small_store)


def test_rerun_embeds_only_new_and_changed_works_keeping_row_order(small_store) -> None:
    build_index(small_store, cache=False)
    folder = index_path_for(small_store)
    before = _rows(folder)["work_ids"]
    emb0 = load_index(small_store).row_vectors(list(range(5)))

    again = build_index(small_store, cache=False)
    assert again.up_to_date and again.n_embedded == 0

    small_store.write(
        Batch(
            works=[
                _work("W0", "Sparse attention for long documents", "Efficient transformers."),
                _work("W9", "Coral reef ecology", None),
            ]
        )
    )
    report = build_index(small_store, cache=False)
    assert report.n_embedded == 2 and report.n_works == 7
    rows = _rows(folder)["work_ids"]
    assert rows[:5] == before and set(rows[5:]) == {"W0", "W9"}
    idx = load_index(small_store)
    assert np.array_equal(idx.row_vectors(list(range(5))), emb0)  # untouched rows kept

    # a changed abstract re-embeds that work in place
    small_store.write(Batch(works=[_work("W2", TITLES["W2"][0], "Now about antibody design.")]))
    report = build_index(small_store, cache=False)
    assert report.n_embedded == 1
    assert _rows(folder)["work_ids"] == rows
    idx = load_index(small_store)
    row = idx.row_of["W2"]
    assert not np.array_equal(idx.row_vectors([row]), emb0[row : row + 1])


def test_works_gone_from_the_store_are_never_returned(small_store) -> None:
    build_index(small_store, cache=False)
    small_store.write(Batch(merged=[MergedId("works", "W3", "W4")]))
    small_store.apply_merges()  # W3 is dropped: its survivor W4 is stored
    report = build_index(small_store, cache=False)
    assert report.n_removed == 1 and report.n_works == 4
    idx = load_index(small_store)
    assert not idx.live[idx.row_of["W3"]]
    scores = idx.lexical.scores("robot grasping")
    assert scores[idx.row_of["W3"]] == 0
    rows, _ = idx.vectors.search(idx.row_vectors([idx.row_of["W3"]]), 5)
    assert idx.row_of["W3"] not in rows[0]


def test_titles_alone_are_indexed(tmp_path) -> None:
    s = Store(tmp_path / "titles.duckdb")
    s.write(Batch(works=[_work(w, t, None) for w, (t, _) in TITLES.items()]))
    build_index(s, cache=False)
    idx = load_index(s)
    scores = idx.lexical.scores("protein folding")
    assert int(np.argmax(scores)) == idx.row_of["W2"]
    rows, _ = idx.vectors.search(idx.embed_queries(["robots grasping objects"]), 1)
    assert idx.work_ids[rows[0][0]] == "W3"
    s.close()


def test_another_embedder_is_refused(small_store) -> None:
    build_index(small_store, cache=False)
    with pytest.raises(IndexStateError, match="built with the embedder"):
        load_index(small_store, embedder="minilm-static")


def test_work_text_uses_title_and_abstract() -> None:
    assert work_text("A title", "An abstract.") == "A title. An abstract."
    assert work_text("A title", None) == "A title"
    assert work_text(None, " ") == ""


def test_bm25_prefers_the_document_with_the_rare_query_word() -> None:
    lex = LexicalIndex.build(
        ["graph networks graph", "neural networks for images", "", "graphs of molecules"]
    )
    s = lex.scores("graph")
    assert s[0] > s[3] > 0  # stemming: graphs ~ graph; more occurrences score higher
    assert s[1] == 0 and s[2] == 0
    assert not lex.scores("zzzz unknown").any()


def test_exact_and_usearch_agree_and_the_limit_picks_the_kind() -> None:
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(300, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    live = np.ones(300, dtype=bool)
    live[7] = False
    exact = V.ExactIndex(vecs, live)
    approx = V.USearchIndex.build(vecs, live)
    q = vecs[[3, 7, 50]]
    er, es = exact.search(q, 5)
    ar, as_ = approx.search(q, 5)
    assert er[0, 0] == 3 and ar[0, 0] == 3
    assert 7 not in er and 7 not in ar
    assert np.allclose(es[0, 0], 1.0, atol=1e-5) and np.allclose(as_[0, 0], 1.0, atol=1e-3)
    assert len(set(er[2]) & set(ar[2])) >= 4
    assert V.choose_kind(V.EXACT_LIMIT - 1) == "exact"
    assert V.choose_kind(V.EXACT_LIMIT) == "usearch"


def test_usearch_kind_builds_and_updates_incrementally(small_store) -> None:
    build_index(small_store, cache=False, vector_kind="usearch")
    folder = index_path_for(small_store)
    assert (folder / "vectors.usearch").is_file()
    small_store.write(Batch(works=[_work("W7", "Speech synthesis from text", None)]))
    report = build_index(small_store, cache=False, vector_kind="usearch")
    assert report.n_embedded == 1 and report.vector_kind == "usearch"
    idx = load_index(small_store)
    rows, _ = idx.vectors.search(idx.row_vectors([idx.row_of["W7"]]), 1)
    assert idx.work_ids[rows[0][0]] == "W7"


def test_float16_storage_and_quantised_usearch(small_store) -> None:
    build_index(small_store, cache=False, dtype="float16")
    folder = index_path_for(small_store)
    assert (folder / "embeddings.f16").is_file()
    idx = load_index(small_store)
    assert idx.embeddings.dtype == np.float16
    rows, sims = idx.vectors.search(idx.row_vectors([idx.row_of["W4"]]), 1)
    assert idx.work_ids[rows[0][0]] == "W4" and sims[0][0] == pytest.approx(1.0, abs=1e-2)
    # asking for a quantised usearch graph on an up-to-date index rebuilds the vectors
    report = build_index(small_store, cache=False, vector_kind="usearch", usearch_dtype="i8")
    assert not report.up_to_date and report.n_embedded == 5  # another dtype: embedded again
    m = read_manifest(folder)
    assert m["vectors"] == {"kind": "usearch", "exact_limit": V.EXACT_LIMIT, "usearch_dtype": "i8"}
    idx = load_index(small_store)
    rows, _ = idx.vectors.search(idx.row_vectors([idx.row_of["W5"]]), 1)
    assert idx.work_ids[rows[0][0]] == "W5"


def test_a_lost_embedding_file_means_a_full_rebuild(small_store) -> None:
    build_index(small_store, cache=False)
    folder = index_path_for(small_store)
    (folder / "embeddings.f32").unlink()
    report = build_index(small_store, cache=False)
    assert report.n_embedded == 5
    idx = load_index(small_store)
    assert np.allclose(np.linalg.norm(idx.row_vectors(list(range(5))), axis=1), 1.0, atol=1e-3)


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00binary\x9c",  # not UTF-8
        b"[1, 2, 3]",  # JSON, not an object
        b'{"format": 1}',  # fields missing
        b'{"format": 1, "store_fingerprint": 5, "n_rows": "x"}',  # wrong types
    ],
)
def test_a_damaged_manifest_reads_as_no_index_and_rebuilds(small_store, content) -> None:
    build_index(small_store, cache=False)
    folder = index_path_for(small_store)
    (folder / "manifest.json").write_bytes(content)
    assert read_manifest(folder) is None
    with pytest.raises(IndexStateError, match="no search index"):
        load_index(small_store)
    assert len(load_index(small_store, on_stale="rebuild")) == 5


@pytest.mark.parametrize("content", [b"\xff\xfe binary", b"[1]", b'{"work_ids": 3}'])
def test_a_damaged_row_list_is_one_index_error(small_store, content) -> None:
    build_index(small_store, cache=False)
    folder = index_path_for(small_store)
    (folder / "rows.json").write_bytes(content)
    with pytest.raises(IndexStateError, match="row list") as err:
        load_index(small_store)
    assert "--full" in err.value.hint
