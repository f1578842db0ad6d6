from __future__ import annotations

import duckdb
import pytest

from labscout.errors import NotFoundError, StoreError
from labscout.records import Author, Authorship, Institution, MergedId, Work
from labscout.store import Batch, Store
from labscout.store.migrations import SCHEMA_VERSION, current_version


def _work(wid: str = "W1", title: str = "Attention", author: str = "A1") -> Work:
    return Work(
        id=wid,
        title=title,
        abstract="We study attention.",
        publication_year=2020,
        authorships=(Authorship(author, "first", 0, True, "Ann", ("Uni X",), ("I1",)),),
        ids=(("arxiv", "1706.03762"),),
    )


def test_new_store_has_current_schema_version(store: Store) -> None:
    assert current_version(store.con) == SCHEMA_VERSION


def test_write_is_idempotent(store: Store) -> None:
    batch = Batch(
        works=[_work()],
        authors=[Author("A1", "Ann", is_full=True)],
        institutions=[Institution("I1", "Uni X", country_code="DE", type="education")],
    )
    first = store.write(batch)
    before = store.counts()
    second = store.write(batch)
    assert store.counts() == before
    assert (first.works_inserted, first.works_updated) == (1, 0)
    assert (second.works_inserted, second.works_updated) == (0, 1)
    assert store.get_work("W1").authorships[0].institution_ids == ("I1",)


def test_partial_author_never_overwrites_full_one(store: Store) -> None:
    store.write(Batch(authors=[Author("A1", "Ann Full", orcid="0000-0001", is_full=True)]))
    store.write(Batch(authors=[Author("A1", "A. F.", is_full=False)]))
    assert store.get_author("A1").display_name == "Ann Full"
    assert store.get_author("A1").orcid == "0000-0001"


def test_duplicate_ids_in_one_batch_last_wins(store: Store) -> None:
    store.write(Batch(works=[_work(title="old"), _work(title="new")]))
    assert store.counts()["works"] == 1
    assert store.get_work("W1").title == "new"


def test_failed_write_rolls_back_and_keeps_data(store: Store, monkeypatch) -> None:
    store.write(Batch(works=[_work()]))
    from labscout.store import batch as B

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(B, "authorships_table", boom)
    with pytest.raises(RuntimeError):
        store.write(Batch(works=[_work("W2")]))
    assert store.counts()["works"] == 1
    assert store.get_work("W1").title == "Attention"


def test_merged_ids_resolve_to_survivor(store: Store) -> None:
    store.write(Batch(works=[_work("W1"), _work("W2", author="A2")]))
    store.write(Batch(merged=[MergedId("works", "W1", "W2"), MergedId("authors", "A1", "A2")]))
    store.apply_merges()
    assert store.resolve_id("works", "W1") == "W2"
    assert store.get_work("W1").id == "W2"
    assert store.counts()["works"] == 1
    authors = {a for (a,) in store.con.execute("SELECT author_id FROM authorships").fetchall()}
    assert authors == {"A2"}


def test_merged_work_without_survivor_is_renamed(store: Store) -> None:
    store.write(Batch(works=[_work("W1")]))
    store.write(Batch(merged=[MergedId("works", "W1", "W9")]))
    store.apply_merges()
    assert store.get_work("W9").title == "Attention"
    assert store.get_work("W9").authorships[0].author_id == "A1"


def test_find_by_external_id(store: Store) -> None:
    store.write(Batch(works=[_work()]))
    assert store.find_work_ids("arxiv", "1706.03762") == ["W1"]


def test_unknown_ids_raise_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.get_work("W404")
    with pytest.raises(NotFoundError):
        store.get_author("A404")


def test_fingerprint_changes_with_data(store: Store) -> None:
    before = store.fingerprint()
    store.write(Batch(works=[_work()]))
    assert store.fingerprint() != before


def test_not_a_store_is_a_clear_error(tmp_path) -> None:
    bad = tmp_path / "x.duckdb"
    bad.write_text("not a database")
    with pytest.raises(StoreError):
        Store(bad)


def test_read_only_missing_file(tmp_path) -> None:
    with pytest.raises(NotFoundError):
        Store(tmp_path / "none.duckdb", read_only=True)


def test_newer_schema_is_refused(tmp_path) -> None:
    path = tmp_path / "s.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_rewrite_keeps_external_ids_attached_by_other_sources(store: Store) -> None:
    store.write(Batch(works=[_work()]))
    store.con.execute("INSERT INTO work_ids VALUES ('W1', 'dblp', 'conf/nips/Vaswani17')")
    again = Work(id="W1", title="Attention", ids=(("arxiv", "1706.03762v2"), ("mag", "42")))
    store.write(Batch(works=[again]))
    store.write(Batch(works=[again]))  # idempotent
    assert store.get_work("W1").ids == (
        ("arxiv", "1706.03762v2"),
        ("dblp", "conf/nips/Vaswani17"),
        ("mag", "42"),
    )
