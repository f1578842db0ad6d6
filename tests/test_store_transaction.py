"""Store.transaction() and Store.current_institutions on hand-made stores."""

from __future__ import annotations

import duckdb
import pytest

from labscout.errors import StoreError
from labscout.records import Author, Authorship, Institution, Work
from labscout.store import Batch, Store

_INSERT = "INSERT INTO institutions (id, display_name, source) VALUES ('I9', 'Uni', 't')"


def _version(store: Store) -> int:
    return int(store.con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])


def _work(wid: str, year: int | None, insts: dict[str, tuple[str, ...]], date: str | None = None):
    return Work(
        id=wid,
        title=f"paper {wid}",
        publication_year=year,
        publication_date=date,
        authorships=tuple(
            Authorship(aid, "middle", i, False, aid, (), inst)
            for i, (aid, inst) in enumerate(insts.items())
        ),
    )


def test_transaction_commits_and_bumps_the_version_on_write(store: Store) -> None:
    before = _version(store)
    fingerprint = store.fingerprint()
    with store.transaction() as tx:
        n = tx.execute(_INSERT)
        assert n.fetchone()[0] == 1
    assert _version(store) == before + 1
    assert store.fingerprint() != fingerprint
    assert store.get_institution("I9").display_name == "Uni"


def test_transaction_without_a_write_keeps_the_version(store: Store) -> None:
    before = _version(store)
    with store.transaction() as tx:
        tx.execute("SELECT count(*) FROM works").fetchone()
        tx.execute("DELETE FROM works WHERE id = 'nothing'")  # changes no row
    assert _version(store) == before
    with store.transaction(bump=False) as tx:
        tx.execute(_INSERT)
    assert _version(store) == before


def test_exception_rolls_back_and_keeps_the_data(store: Store) -> None:
    store.write(Batch(institutions=[Institution("I1", "Old")]))
    before = _version(store)
    with pytest.raises(RuntimeError, match="boom"), store.transaction() as tx:
        tx.execute("UPDATE institutions SET display_name = 'New' WHERE id = 'I1'")
        raise RuntimeError("boom")
    assert store.get_institution("I1").display_name == "Old"
    assert _version(store) == before
    with pytest.raises(KeyboardInterrupt), store.transaction() as tx:
        tx.execute("DELETE FROM institutions")
        raise KeyboardInterrupt
    assert store.counts()["institutions"] == 1
    # the store is usable again afterwards
    with store.transaction() as tx:
        tx.execute("UPDATE institutions SET display_name = 'New' WHERE id = 'I1'")
    assert store.get_institution("I1").display_name == "New"


def test_nested_transaction_joins_the_outer_one(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.write(Batch(institutions=[Institution("I1", "Uni")]))
        raise RuntimeError("after the inner write")
    assert store.counts()["institutions"] == 0


class _FailingCommit:
    """A connection whose COMMIT fails, and whose ROLLBACK fails too."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.real = con

    def execute(self, sql: str, params=None):
        if sql in ("COMMIT", "ROLLBACK"):
            raise duckdb.TransactionException(f"{sql} refused")
        return self.real.execute(sql, params)

    def __getattr__(self, name: str):
        return getattr(self.real, name)


def test_failed_commit_raises_store_error_not_the_rollback_error(store: Store) -> None:
    real = store.con
    store.con = _FailingCommit(real)
    try:
        failed = pytest.raises(StoreError, match="commit .* failed: COMMIT refused")
        with failed, store.transaction() as tx:
            tx.execute(_INSERT)
    finally:
        store.con = real
    real.execute("ROLLBACK")
    assert store.counts()["institutions"] == 0
    assert store._tx is None


def test_read_only_store_refuses_a_transaction(tmp_path) -> None:
    path = tmp_path / "s.duckdb"
    Store(path).close()
    refused = pytest.raises(StoreError, match="read-only")
    with Store(path, read_only=True) as ro, refused, ro.transaction():
        pass


def test_current_institutions_one_rule(store: Store) -> None:
    store.write(
        Batch(
            authors=[
                # the record's last known institutions win over any paper
                Author("A1", "Ann", last_known_institution_ids=("I1", "I2"), is_full=True),
                Author("A2", "Bo", is_full=True),  # no record institution: latest paper
                Author("A3", "Cy", is_full=True),  # no institution anywhere
            ],
            works=[
                _work("W1", 2019, {"A1": ("I9",), "A2": ("I3",), "A3": ()}),
                _work("W2", 2021, {"A2": ("I4", "I5", "I4")}, date="2021-03-01"),
                _work("W3", 2021, {"A2": ("I6",)}, date="2021-01-01"),  # earlier that year
                _work("W4", 2023, {"A2": ()}),  # the latest paper names none: skipped
                _work("W5", None, {"A4": ("I7",)}),  # no year; no author record
                _work("W6", 2020, {"A5": ("I8",)}),
                _work("W7", 2020, {"A5": ("I10",)}),  # same year, no date: greater work id
            ],
        )
    )
    got = store.current_institutions(["A1", "A2", "A3", "A4", "A5", "A1", "nobody"])
    assert got == {
        "A1": ("I1", "I2"),
        "A2": ("I4", "I5"),
        "A4": ("I7",),
        "A5": ("I10",),
    }
    assert list(got) == ["A1", "A2", "A4", "A5"]
    assert store.current_institutions([]) == {}


def test_current_institutions_follow_identity_links(store: Store) -> None:
    store.write(
        Batch(
            authors=[
                Author("A1", "Ann", is_full=True),  # the person's record: no institution
                Author("dblp:ann", "Ann", last_known_institution_ids=("I5",)),
                Author("B1", "Bo", is_full=True),
                Author("dblp:bo", "Bo"),
            ],
            works=[
                _work("W1", 2018, {"A1": ("I1",), "B1": ("I2",)}),
                _work("W2", 2022, {"dblp:bo": ("I3",)}),  # Bo's latest, under his other id
            ],
        )
    )
    before = store.current_institutions(["A1", "B1"])
    assert before == {"A1": ("I1",), "B1": ("I2",)}
    with store.transaction() as tx:
        for n, (member, person) in enumerate((("dblp:ann", "A1"), ("dblp:bo", "B1"))):
            tx.execute(
                "INSERT INTO identity_links (link_id, author_id, person_id, rule) "
                "VALUES (?, ?, ?, 'test')",
                [n, member, person],
            )
    # another record's last known institution beats any paper; Bo's latest work counts
    got = store.current_institutions(["A1", "B1", "dblp:bo"])
    assert got == {"A1": ("I5",), "B1": ("I3",), "dblp:bo": ("I3",)}
    details = store.current_institution_details(["A1", "B1"])
    assert (details["A1"].basis, details["A1"].work_id) == ("author record", None)
    assert (details["B1"].basis, details["B1"].work_id) == ("latest work", "W2")
