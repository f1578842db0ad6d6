"""The intern-host rule on a hand-made store whose answers are worked out by hand.

Google (G) and Acme (AC) are companies, MIT and Stanford (STAN) universities.
H is a Google researcher (works since 2010). Their joint papers:

- 2021 with I1 (MIT, first author, 1 earlier work, back at MIT in 2022): likely;
- 2021 with I2 (MIT, first author, but 5 earlier works): not early-career;
- 2021 with I3 (Stanford, middle author): not first author;
- 2022 with I4 (Stanford, first author, no later work at all): unconfirmed;
- 2022 with I5 (MIT, first author, later work only at Google): not back;
- 2022 with I6 (Stanford, first author, 2023 back at Stanford) on a 12-author paper: too big;
- 2023 with I7 (MIT, first author, back at MIT in 2024, and a second id I7b linked to it).

P (MIT and Google on the same paper) with their student S: P is not a host.
F (Google, first work ever) with J (MIT, first author, back later): F is no host.
C (Acme) with K (Stanford, first author 2019, back 2020): Acme's intern.
H with AA (MIT, first author 2021, back 2022): the names are in alphabetical order
("aa" < "h"), where first authorship says nothing: left out.
R (at MIT on their other works of 2020-2022) names only Google on a 2021 paper with
T (MIT, first author, back 2022): R is not a host (company share 1/3 < 0.5).
"""

from __future__ import annotations

import pytest

from labscout.records import Author, Authorship, Institution, Work
from labscout.signals.interns import (
    InternParams,
    classify_pairs,
    company_intern_signal,
    company_intern_signals,
    intern_host_signal,
    intern_hosts,
    pair_status,
    prior_works,
)
from labscout.store import Batch, Store
from labscout.store import intern_reads as R

INSTS = [
    Institution("G", "Google", type="company"),
    Institution("AC", "Acme", type="company"),
    Institution("MIT", "MIT", type="education"),
    Institution("STAN", "Stanford", type="education"),
]


def _w(wid: str, year: int, authors: list[tuple[str, tuple[str, ...]]]) -> Work:
    ships = []
    for i, (a, insts) in enumerate(authors):
        pos = "first" if i == 0 else "last" if i == len(authors) - 1 else "middle"
        ships.append(Authorship(a, pos, i, raw_author_name=a, institution_ids=insts))
    return Work(wid, f"title {wid}", publication_year=year, authorships=tuple(ships))


def _solo(prefix: str, author: str, years: list[int], insts: tuple[str, ...] = ()) -> list[Work]:
    return [_w(f"{prefix}{k}", y, [(author, insts)]) for k, y in enumerate(years)]


G, MIT, STAN, AC = ("G",), ("MIT",), ("STAN",), ("AC",)

WORKS = [
    *_solo("h", "H", [2010, 2012, 2014, 2016], G),
    *_solo("i1-", "I1", [2020], MIT),
    _w("J1", 2021, [("I1", MIT), ("H", G)]),
    _w("I1later", 2022, [("I1", MIT)]),
    *_solo("i2-", "I2", [2015, 2016, 2017, 2018, 2019], MIT),
    _w("J2", 2021, [("I2", MIT), ("H", G)]),
    _w("I2later", 2022, [("I2", MIT)]),
    _w("J3", 2021, [("X", ()), ("I3", STAN), ("H", G)]),
    _w("I3later", 2022, [("I3", STAN)]),
    _w("J4", 2022, [("I4", STAN), ("H", G)]),
    _w("J5", 2022, [("I5", MIT), ("H", G)]),
    _w("I5later", 2023, [("I5", G)]),
    _w("J6", 2022, [("I6", STAN), ("H", G)] + [(f"Z{k}", ()) for k in range(10)]),
    _w("I6later", 2023, [("I6", STAN)]),
    _w("J7", 2023, [("I7", MIT), ("H", G)]),
    _w("I7later", 2024, [("I7b", MIT)]),
    *_solo("p", "P", [2005, 2006, 2007, 2008], MIT),
    _w("JP", 2021, [("S", MIT), ("P", ("MIT", "G"))]),
    _w("Slater", 2022, [("S", MIT)]),
    _w("JF", 2021, [("J", MIT), ("F", G)]),
    _w("Jlater", 2022, [("J", MIT)]),
    *_solo("q", "C", [2010, 2011, 2012], AC),
    _w("JQ", 2019, [("K", STAN), ("C", AC)]),
    _w("JAA", 2021, [("AA", MIT), ("H", G)]),
    _w("AAlater", 2022, [("AA", MIT)]),
    *_solo("r", "R", [2010, 2011, 2012, 2020, 2022], MIT),
    _w("JR", 2021, [("T", MIT), ("R", G)]),
    _w("Tlater", 2022, [("T", MIT)]),
    _w("Klater", 2020, [("K", STAN)]),
]


@pytest.fixture
def store() -> Store:
    s = Store(":memory:")
    people = sorted({a.author_id for w in WORKS for a in w.authorships})
    authors = [Author(a, a) for a in people]
    s.write(Batch(works=WORKS, institutions=INSTS, authors=authors))
    s.con.execute(
        "INSERT INTO identity_links VALUES (1, 'I7b', 'I7', 'orcid', 'test', NULL, now(), NULL)"
    )
    yield s
    s.close()


def test_host_signal_counts_exactly_the_pairs_the_rule_names(store: Store) -> None:
    sig = intern_host_signal(store, "H")
    assert sig.n_interns == 2
    assert [e.intern_id for e in sig.interns] == ["I7", "I1"]  # newest first
    assert sig.since == 2021
    assert sig.n_unconfirmed == 1  # I4: no later work in the store
    i1 = sig.interns[1]
    assert (i1.work.work_id, i1.university, i1.company) == ("J1", "MIT", "Google")
    assert i1.prior_works == 1
    assert (i1.later_work.work_id, i1.back_at) == ("I1later", "MIT")
    assert sig.interns[0].later_work.work_id == "I7later"  # found through the identity link
    assert sig.summary.startswith("H hosted about 2 likely interns since 2021: I7, I1")
    assert "+1 unconfirmed" in sig.summary
    assert sig.to_dict()["interns"][0]["work"]["work_id"] == "J7"


def test_parameters_change_the_answer(store: Store) -> None:
    # a looser early-career cut lets I2 (5 earlier works) in
    assert intern_host_signal(store, "H", InternParams(max_prior_works=5)).n_interns == 3
    # any position: I3 (middle author, back at Stanford) counts
    loose = intern_host_signal(store, "H", InternParams(first_author_only=False))
    assert {e.intern_id for e in loose.interns} == {"I1", "I3", "I7"}
    # bigger papers allowed: I6 counts
    big = intern_host_signal(store, "H", InternParams(max_authors=20))
    assert {e.intern_id for e in big.interns} == {"I1", "I6", "I7"}
    # no return needed: I4 (no later work) and I5 (later at Google) count
    anyway = intern_host_signal(store, "H", InternParams(require_return=False))
    assert {e.intern_id for e in anyway.interns} == {"I1", "I4", "I5", "I7"}
    assert intern_host_signal(store, "H", InternParams(since=2022)).n_interns == 1


def test_dual_affiliated_professor_and_fellow_intern_are_not_hosts(store: Store) -> None:
    assert intern_host_signal(store, "P").n_interns == 0
    assert intern_host_signal(store, "P").summary == "P: no likely interns in the store"
    assert intern_host_signal(store, "F").n_interns == 0  # no earlier works: not a host
    assert intern_host_signal(store, "P", InternParams(host_company_only=False)).n_interns == 1
    assert intern_host_signal(store, "F", InternParams(host_min_prior_works=0)).n_interns == 1


def test_company_signals(store: Store) -> None:
    google = company_intern_signal(store, "G")
    assert (google.name, google.n_interns, google.n_hosts, google.since) == ("Google", 2, 1, 2021)
    assert google.hosts[0].name == "H" and google.hosts[0].n_interns == 2
    acme = company_intern_signal(store, "AC")
    assert (acme.n_interns, acme.since, acme.interns[0].name) == (1, 2019, "K")
    ranked = company_intern_signals(store)
    assert [(s.institution_id, s.n_interns) for s in ranked] == [("G", 2), ("AC", 1)]
    assert intern_hosts(store)[0].host_id == "H"
    assert [s.host_id for s in intern_hosts(store)] == ["H", "C"]
    assert intern_hosts(store, company_ids=["AC"])[0].host_id == "C"


def test_alphabetical_lists_and_part_time_hosts(store: Store) -> None:
    keep_alpha = intern_host_signal(store, "H", InternParams(skip_alphabetical_from=0))
    assert {e.intern_id for e in keep_alpha.interns} == {"I1", "I7", "AA"}
    assert intern_host_signal(store, "H", InternParams(skip_alphabetical_from=3)).n_interns == 3
    assert intern_host_signal(store, "R").n_interns == 0
    loose = intern_host_signal(store, "R", InternParams(host_min_company_share=0.3))
    assert [e.intern_id for e in loose.interns] == ["T"]


def test_pure_rule_on_rows() -> None:
    row = R.CoauthorRow(
        "W", 2020, "t", None, 2, False, "h", "last", ("G",), (), "i", "i", "first", 0, ("U",), ()
    )
    tl_host = [R.TimelineWork(f"h{k}", 2015 + k, "x", ("G",), ()) for k in range(3)]
    alpha = R.CoauthorRow(
        "W", 2020, "t", None, 2, True, "h", "last", ("G",), (), "i", "i", "first", 0, ("U",), ()
    )
    tl_new = [R.TimelineWork("back", 2021, "y", (), ("U",))]
    p = InternParams()
    assert prior_works(tl_host, 2017) == 2
    assert pair_status(row, tl_new, tl_host, p) == "likely"
    assert pair_status(row, tl_new, tl_host[:2], p) is None  # host too new
    assert pair_status(alpha, tl_new, tl_host, p) is None
    uni = [R.TimelineWork(f"u{k}", 2019 + k, "x", (), ("U",)) for k in range(3)]
    assert pair_status(row, tl_new, tl_host + uni, p) is None  # host mostly at a university
    assert pair_status(row, [], tl_host, p) == "unconfirmed"
    late = [R.TimelineWork("back", 2024, "y", (), ("U",))]  # 4 years later: outside the window
    assert pair_status(row, late, tl_host, p) is None
    likely, unconf = classify_pairs(
        [row], {"i": tl_new, "h": tl_host}, {"i": "Ivy"}, {"U": "Uni", "G": "Goo"}, p
    )
    assert [(e.name, e.university, e.company, e.back_at) for e in likely] == [
        ("Ivy", "Uni", "Goo", "Uni")
    ]
    assert unconf == []


def test_works_without_author_rows() -> None:
    """Works written without author records (no identity links): ids are people."""
    s = Store(":memory:")
    s.write(Batch(works=WORKS, institutions=INSTS))
    sig = intern_host_signal(s, "H")
    assert [e.intern_id for e in sig.interns] == ["I1"]
    assert sig.n_unconfirmed == 2  # I4, and I7 (its later work is under the unlinked id I7b)
    s.close()


# -- wired into the product: find --hosts-interns, ladder --type company, researcher ----


@pytest.fixture(scope="module")
def interns_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The same store on disk, indexed (the fake embedder): every title says "title"."""
    from labscout.index.build import build_index

    path = tmp_path_factory.mktemp("interns") / "i.duckdb"
    with Store(path) as s:
        people = sorted({a.author_id for w in WORKS for a in w.authorships})
        s.write(Batch(works=WORKS, institutions=INSTS, authors=[Author(a, a) for a in people]))
        s.con.execute(
            "INSERT INTO identity_links VALUES (1, 'I7b', 'I7', 'orcid', 'test', NULL, now(), "
            "NULL)"
        )
        build_index(s, cache=False)
    return str(path)


def test_find_hosts_interns_keeps_only_hosts_and_shows_the_signal(interns_db: str) -> None:
    from labscout import Labscout, Query
    from labscout.filters import Filters

    with Labscout(interns_db) as ls:
        everyone = ls.find(Query(text="title", top=100))
        hosts = ls.find(Query(text="title", top=100, filters=Filters.parse(hosts_interns=True)))
        assert len(everyone.matches) > 10 and everyone.interns == {}
        assert {m.author_id for m in hosts.matches} == {"H", "C"}
        assert hosts.interns["H"]["n_interns"] == 2 and hosts.interns["C"]["n_interns"] == 1
        assert hosts.query["filters"]["hosts_interns"] is True
        # the Labscout methods PLAN builds on
        assert ls.interns("H").n_interns == 2
        assert ls.company_interns("Acme").interns[0].name == "K"  # a name, as --from takes
        assert [s.host_id for s in ls.intern_hosts()] == ["H", "C"]
        assert [s.institution_id for s in ls.company_intern_signals()] == ["G", "AC"]
    assert Query.from_params({"q": "x", "hosts_interns": "1"}).filters.hosts_interns


def test_cli_find_hosts_interns_and_researcher(interns_db: str) -> None:
    import json

    from typer.testing import CliRunner

    from labscout.cli import app

    run = CliRunner(env={"COLUMNS": "300"})  # rich tables one line a row
    got = run.invoke(app, ["find", "title", "--hosts-interns", "--db", interns_db, "-f", "json"])
    assert got.exit_code == 0, got.output
    assert set(json.loads(got.stdout)["interns"]) == {"H", "C"}
    table = run.invoke(app, ["find", "title", "--hosts-interns", "--db", interns_db])
    assert "H hosted about 2 likely interns since 2021" in " ".join(table.stdout.split())
    prof = run.invoke(app, ["researcher", "H", "--db", interns_db, "-f", "json"])
    assert json.loads(prof.stdout)["interns"]["n_interns"] == 2
    text = " ".join(run.invoke(app, ["researcher", "H", "--db", interns_db]).stdout.split())
    assert "hosts interns" in text and "I1 (MIT): J1 (2021); back at MIT (2022)" in text


def test_ladder_type_company_shows_the_company_signal(interns_db: str) -> None:
    from labscout import Labscout, Query
    from labscout.filters import Filters

    with Labscout(interns_db) as ls:
        companies = ls.ladder(Query(text="title", filters=Filters.parse(type="company")))
        anyone = ls.ladder(Query(text="title"))
    assert {r.institution_id for r in companies.institutions} <= {"G", "AC"}
    assert companies.interns["G"]["n_interns"] == 2
    assert companies.interns["AC"]["hosts"][0]["name"] == "C"
    assert anyone.interns == {}  # only asked for with --type company
    from typer.testing import CliRunner

    from labscout.cli import app

    got = CliRunner(env={"COLUMNS": "300"}).invoke(
        app, ["ladder", "title", "--type", "company", "--db", interns_db]
    )
    assert got.exit_code == 0, got.output
    assert "Google hosted about 2 likely interns since 2021: I7, I1" in got.stdout


def test_researcher_page_shows_the_intern_signal(interns_db: str) -> None:
    from starlette.testclient import TestClient

    from labscout.web import create_app

    client = TestClient(create_app(interns_db))
    html = client.get("/researcher/H").text
    assert "Hosts interns? The signal" in html
    assert "H hosted about 2 likely interns since 2021" in html
    assert "back at MIT" in html and 'href="/researcher/I1"' in html
    data = client.get("/researcher/H.json").json()
    assert data["interns"]["interns"][0]["intern_id"] == "I7"
    assert "Hosts interns?" in client.get("/researcher/P").text  # the signal, even when none
    client.app.state.labscout.close()


def test_search_page_hosts_interns_and_company_ladder(interns_db: str) -> None:
    from starlette.testclient import TestClient

    from labscout.web import create_app

    client = TestClient(create_app(interns_db))
    html = client.get("/", params={"q": "title", "hosts_interns": "1"}).text
    assert "Hosts interns:</b> H hosted about 2 likely interns since 2021" in html
    assert 'name="hosts_interns" value="1" checked' in html
    assert "hosts_interns=1" in html  # the tab links keep the filter
    plain = client.get("/", params={"q": "title"}).text
    assert "Hosts interns:</b>" not in plain
    ladder = client.get("/", params={"q": "title", "tab": "ladder", "type": "company"}).text
    assert "Interns hosted" in ladder and "Google hosted about 2 likely interns" in ladder
    client.app.state.labscout.close()
