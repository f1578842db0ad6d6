"""Co-author graph and paths on a hand-made corpus whose answers are known.

tests/fixtures/graph/works.jsonl (OpenAlex format), newest year 2022:
A1-A13-A4 (two 2022 works), A1-A5-A4 (A5-A4 only in 2010), A1-A2-A3-A4
(3 steps); A4-A6; A7-A8 apart from everyone; A9 only on W9, a 60-author
paper that also names A1 and A4; two people called Jane Smith (A10 at
University of Alpha, A11 at Beta Institute); A12 wrote alone.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from labscout.cli import app
from labscout.errors import AmbiguousError, ConfigError, InputError, NotFoundError
from labscout.graph import build, build_graph, paths, reach
from labscout.ingest import openalex_files
from labscout.store import Store

FIX = Path(__file__).parent / "fixtures" / "graph"
runner = CliRunner()


@pytest.fixture
def gstore(store: Store) -> Store:
    report = openalex_files(store, [FIX / "works.jsonl"], force=True)
    assert report.counts.works_inserted == 16
    return store


def ids(path) -> list[str]:
    return [p.id for p in path.people]


def test_edges_counts_and_author_cap(gstore: Store) -> None:
    g = build_graph(gstore)
    assert g.max_authors == 50
    assert g.index_of("A9") is None  # only on the 60-author paper
    assert g.index_of("A12") is None  # wrote alone
    e = g.edge_between(g.index_of("A2"), g.index_of("A3"))
    assert g.n_works[e] == 2 and g.last_year[e] == 2021
    # strength: 2021 is one year before the newest work (2022), 2015 seven years
    assert g.strength[e] == pytest.approx(0.5 ** (1 / 5) + 0.5 ** (7 / 5))
    assert g.edge_between(g.index_of("A1"), g.index_of("A4")) is None
    wide = build_graph(gstore, max_authors=60)
    assert wide.edge_between(wide.index_of("A1"), wide.index_of("A4")) is not None
    with pytest.raises(ConfigError):
        build_graph(gstore, max_authors=1)


def test_k_shortest_paths_ranked_by_steps_then_strength(gstore: Store) -> None:
    found = paths(gstore, ["A1"], "A4", k=3)
    assert [ids(p) for p in found] == [
        ["A1", "A13", "A4"],  # two recent links
        ["A1", "A5", "A4"],  # A5-A4 is a 2010 link: weaker
        ["A1", "A2", "A3", "A4"],
    ]
    assert [p.hops for p in found] == [2, 2, 3]
    assert found[0].cost == pytest.approx(1.0)
    assert found[1].cost == pytest.approx(0.5 + 1 / (1 + 0.5 ** (12 / 5)), abs=1e-3)
    # only these three simple paths of <= 4 steps exist
    assert len(paths(gstore, ["A1"], "A4", k=10)) == 3


def test_edges_list_the_works_that_make_them(gstore: Store) -> None:
    longest = paths(gstore, ["A1"], "A4", k=3)[2]
    e = longest.edges[1]
    assert (e.source.id, e.target.id, e.n_works, e.last_year) == ("A2", "A3", 2, 2021)
    assert [(w.id, w.title, w.year) for w in e.works] == [
        ("W2", "Recent twos and threes", 2021),
        ("W3", "Old twos and threes", 2015),
    ]
    assert longest.people[0].display_name == "Ada One"
    # the 60-author paper links A1 and A4 only when the cap allows it
    direct = paths(gstore, ["A1"], "A4", k=1, max_authors=60)[0]
    assert direct.hops == 1 and [w.id for w in direct.edges[0].works] == ["W9"]
    assert all(w.id != "W9" for p in paths(gstore, ["A1"], "A4") for e in p.edges for w in e.works)


def test_max_length_no_path_and_disconnected(gstore: Store) -> None:
    assert [ids(p) for p in paths(gstore, ["A1"], "A6", max_length=3)] == [
        ["A1", "A13", "A4", "A6"],
        ["A1", "A5", "A4", "A6"],
    ]
    assert paths(gstore, ["A1"], "A6", max_length=2) == []
    assert paths(gstore, ["A1"], "A7") == []  # another component
    assert paths(gstore, ["A1"], "A12") == []  # in the store, no co-authors
    assert paths(gstore, ["A1"], "A9") == []  # only linked through the capped paper
    assert ids(paths(gstore, ["A1"], "A9", max_authors=60)[0]) == ["A1", "A9"]


def test_several_sources_and_paths_through_known_people(gstore: Store) -> None:
    found = paths(gstore, ["A7", "A1", "A5"], "A4", k=3)
    # A1-A5-A4 goes through A5, whom the user knows: A5-A4 is listed instead
    assert [ids(p) for p in found] == [
        ["A5", "A4"],
        ["A1", "A13", "A4"],
        ["A1", "A2", "A3", "A4"],
    ]


def test_people_by_orcid_and_name(gstore: Store) -> None:
    by_orcid = paths(gstore, source_orcids=["https://orcid.org/0000-0002-1825-0097"], target="A3")
    assert ids(by_orcid[0]) == ["A2", "A3"]
    by_name = paths(gstore, source_names=["ada one"], target="A2")
    assert ids(by_name[0]) == ["A1", "A2"]
    with pytest.raises(AmbiguousError) as err:
        paths(gstore, source_names=["Jane Smith"], target="A4")
    msg = str(err.value)
    assert "2 people" in msg and "A10" in msg and "A11" in msg
    assert "University of Alpha" in msg and "Beta Institute" in msg
    with pytest.raises(NotFoundError):
        paths(gstore, source_names=["Nobody Here"], target="A4")
    with pytest.raises(NotFoundError):
        paths(gstore, ["A404"], "A4")
    with pytest.raises(NotFoundError):
        paths(gstore, ["A1"], "A404")
    with pytest.raises(InputError):
        paths(gstore, ["A1"], "A1")
    with pytest.raises(InputError):
        paths(gstore, [], "A4")


def test_reach_many_targets(gstore: Store) -> None:
    out = reach(gstore, ["A1"], ["A4", "A7", "A3"], k=1)
    assert list(out) == ["A4", "A7", "A3"]
    assert ids(out["A4"][0]) == ["A1", "A13", "A4"]
    assert out["A7"] == []
    assert ids(out["A3"][0]) == ["A1", "A2", "A3"]


def test_backends_agree_and_cache_follows_fingerprint(tmp_path: Path) -> None:
    db = tmp_path / "g.duckdb"
    with Store(db) as s:
        openalex_files(s, [FIX / "works.jsonl"], force=True)
        rx_paths = paths(s, ["A1"], "A6", k=3)
        nx_paths = paths(s, ["A1"], "A6", k=3, backend="networkx")
        assert rx_paths == nx_paths and len(rx_paths) == 3
        cache = build.cache_path(s)
        assert cache is not None and cache.is_file()
        built = build.build_graph(s)
        again = build.CoauthorGraph.read(cache)  # what a second run reads back
        assert again.key == built.key and again.ids == built.ids
        assert again.names == built.names and again.work_ids == built.work_ids
        assert (again.edge_works == built.edge_works).all()
        key = built.key
        openalex_files(s, [FIX / "works.jsonl"], force=True)  # data version moves on
        assert build.build_graph(s).key != key


def test_matches_networkx_yen_on_the_real_demo_corpus(store: Store) -> None:
    from labscout.demo import demo_corpus_path

    openalex_files(store, [demo_corpus_path()], force=True)
    g = build_graph(store)
    full = nx.Graph()
    for e, (u, v) in enumerate(zip(g.src.tolist(), g.dst.tolist(), strict=True)):
        full.add_edge(u, v, cost=1 + (1 / (1 + g.strength[e])) / 5)
    comp = max(nx.connected_components(full), key=len)
    nodes = sorted(comp)
    rng = random.Random(1)
    checked = 0
    for _ in range(12):
        a, b = rng.sample(nodes, 2)
        ref = []
        for p in nx.shortest_simple_paths(full, a, b, weight="cost"):
            if len(p) - 1 > 4 or len(ref) == 3:
                break
            ref.append(nx.path_weight(full, p, "cost"))
        got = paths(store, [str(g.ids[a])], str(g.ids[b]), k=3, max_length=4, graph=g)
        mine = [p.hops + p.cost / 5 for p in got]
        assert mine == pytest.approx(ref, abs=2e-3)
        checked += bool(ref)
    assert checked >= 3


def test_cli_path(tmp_path: Path) -> None:
    db = tmp_path / "g.duckdb"
    with Store(db) as s:
        openalex_files(s, [FIX / "works.jsonl"], force=True)
    out = runner.invoke(app, ["path", "--db", str(db), "--from", "A1", "--to", "A4", "--k", "2"])
    assert out.exit_code == 0, out.output
    assert "2 co-author path(s) to Dee Four (A4)" in out.output
    assert '"Ones and thirteens" (2022)' in out.output
    js = runner.invoke(
        app, ["path", "--db", str(db), "--from-name", "Ada One", "--to", "A3", "--json"]
    )
    assert [p["hops"] for p in json.loads(js.output)] == [2, 3, 3]
    none = runner.invoke(app, ["path", "--db", str(db), "--from", "A1", "--to", "A7"])
    assert none.exit_code == 0 and "No co-author path of at most 4 steps" in none.output
    amb = runner.invoke(app, ["path", "--db", str(db), "--from-name", "Jane Smith", "--to", "A4"])
    assert amb.exit_code == 2 and "matches 2 people" in amb.output and "Traceback" not in amb.output


def test_one_person_across_sources(gstore: Store) -> None:
    from labscout.ingest.identity import resolve_identities
    from labscout.records import Author, Authorship, Work
    from labscout.store import Batch

    # a DBLP record of Ben Two (same ORCID as A2) who wrote with Gus Seven (A7)
    gstore.write(
        Batch(
            works=[
                Work(
                    id="dblp:w1",
                    title="A DBLP paper with Gus",
                    publication_year=2022,
                    authorships=(
                        Authorship("dblp:ben", "first", 0, raw_author_name="Ben Two"),
                        Authorship("A7", "last", 1, raw_author_name="Gus Seven"),
                    ),
                    source="dblp",
                )
            ],
            authors=[
                Author(
                    id="dblp:ben",
                    display_name="Ben Two",
                    orcid="0000-0002-1825-0097",
                    source="dblp",
                    is_full=True,
                )
            ],
        )
    )
    assert paths(gstore, ["A1"], "A7") == []  # two records, two nodes
    with pytest.raises(AmbiguousError):
        paths(gstore, source_names=["Ben Two"], target="A7")
    assert resolve_identities(gstore).linked == {"orcid": 1}
    found = paths(gstore, ["A1"], "A7")
    assert [ids(p) for p in found] == [["A1", "A2", "A7"]]
    assert [w.title for w in found[0].edges[1].works] == ["A DBLP paper with Gus"]
    assert ids(paths(gstore, ["dblp:ben"], "A7")[0]) == ["A2", "A7"]  # either record
    assert ids(paths(gstore, source_names=["Ben Two"], target="A7")[0]) == ["A2", "A7"]
