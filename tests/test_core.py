"""The core object and the one Query: CLI, web and Python give the same JSON, byte for byte."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from labscout import Labscout, Query
from labscout.cli import app
from labscout.errors import InputError
from labscout.filters import Filters
from labscout.results import to_json
from labscout.web import create_app

Q = "graph neural networks"
runner = CliRunner()


@pytest.fixture(scope="module")
def core(demo_db: str) -> Labscout:
    ls = Labscout(demo_db)
    yield ls
    ls.close()


@pytest.fixture(scope="module")
def client(core: Labscout) -> TestClient:
    return TestClient(create_app(core))


def _cli(*args: str) -> str:
    out = runner.invoke(app, list(args))
    assert out.exit_code == 0, out.output
    return out.stdout


@pytest.mark.parametrize(
    ("cli", "url", "params", "python"),
    [
        (["find", Q], "/search.json", {"q": Q}, lambda ls: ls.find(Query(text=Q))),
        (
            ["find", Q, "--country", "US", "--top", "5", "--since", "2018"],
            "/search.json",
            {"q": Q, "country": "US", "top": "5", "since": "2018"},
            lambda ls: ls.find(Query(text=Q, top=5, since=2018, filters=Filters.parse("US"))),
        ),
        (
            ["ladder", Q],
            "/search.json",
            {"q": Q, "tab": "ladder"},
            lambda ls: ls.ladder(Query(text=Q)),
        ),
        (["read", Q], "/read.json", {"q": Q}, lambda ls: ls.read(Q)),
        (["topics", Q], "/topics.json", {"q": Q}, lambda ls: ls.topics(Query(text=Q))),
        (
            ["topics", Q, "--sort", "exotic", "--top", "3"],
            "/topics.json",
            {"q": Q, "sort": "exotic", "top": "3"},
            lambda ls: ls.topics(Query(text=Q, top=3), sort="exotic"),
        ),
        (
            ["find", Q, "--hosts-interns"],
            "/search.json",
            {"q": Q, "hosts_interns": "1"},
            lambda ls: ls.find(Query(text=Q, filters=Filters.parse(hosts_interns=True))),
        ),
        (["plan", Q], "/plan.json", {"q": Q}, lambda ls: ls.plan(Query(text=Q))),
        (
            ["plan", Q, "--country", "US"],
            "/plan.json",
            {"q": Q, "country": "US"},
            lambda ls: ls.plan(Query(text=Q, filters=Filters.parse("US"))),
        ),
    ],
    ids=["find", "find-filtered", "ladder", "read", "topics", "topics-exotic", "hosts-interns",
         "plan", "plan-filtered"],  # fmt: skip
)
def test_cli_web_and_python_give_the_same_json(
    core: Labscout, client: TestClient, demo_db: str, cli, url, params, python
) -> None:
    from_cli = _cli(*cli, "--db", demo_db, "--format", "json")
    r = client.get(url, params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    from_python = python(core).to_json()
    assert from_cli == r.text == from_python
    data = json.loads(from_cli)
    assert "seconds" not in data  # timing is left out of the JSON, kept on the object
    assert data["query"]["text"] == Q


def test_researcher_and_path_json_are_the_cli_json(
    core: Labscout, client: TestClient, demo_db: str
) -> None:
    top = core.find(Query(text=Q, top=1)).matches[0]
    profile = _cli("researcher", top.author_id, "--db", demo_db, "-f", "json")
    assert client.get(f"/researcher/{top.author_id}.json").text == profile
    assert core.researcher(top.author_id).to_json() == profile
    coauthor = json.loads(profile)["top_coauthors"][0]["author_id"]
    paths = _cli("path", "--to", top.author_id, "--from", coauthor, "--db", demo_db, "--json")
    web = client.get("/path.json", params={"to": top.author_id, "from": coauthor}).text
    assert web == paths == to_json(core.paths(top.author_id, [coauthor]))
    assert json.loads(paths)[0]["hops"] == 1


def test_the_same_query_from_cli_options_web_parameters_and_python() -> None:
    cli = Query.from_cli(
        " graph neural networks ", ["W1, W2"], None, None, None, False, 2020,
        "de,ch", None, "company", 2022, top=5,
    )  # fmt: skip
    web = Query.from_params(
        {"q": "graph neural networks", "like": ["W1", "W2"], "since": "2020",
         "country": "DE,CH", "type": "company", "active_since": "2022", "top": "5"}
    )  # fmt: skip
    py = Query(
        text="graph neural networks",
        like=("W1", "W2"),
        since=2020,
        filters=Filters.parse(["DE", "CH"], None, "company", 2022),
        top=5,
    )
    assert cli == web == py
    assert hash(cli) == hash(py)  # frozen: a query can key a cache


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"top": 0}, "--top 0"),
        ({"since": 1800}, "not a year"),
        ({"exclude_coauthors": True}, "needs --mine"),
    ],
)
def test_a_bad_query_is_an_input_error_with_a_hint(kwargs, message) -> None:
    with pytest.raises(InputError, match=message) as exc:
        Query(text="x", **kwargs)
    assert exc.value.hint


def test_mine_and_mine_orcid_together_are_refused() -> None:
    with pytest.raises(InputError, match="twice"):
        Query.from_cli(mine="A1", mine_orcid="0000-0002-1825-0097")
    assert Query.from_cli(mine_orcid="0000-0002-1825-0097").mine == "0000-0002-1825-0097"


def test_web_parameters_out_of_bounds_are_input_errors() -> None:
    for params in ({"q": "x" * 501}, {"top": "1000"}, {"top": "ten"}, {"like": "W1," * 30}):
        with pytest.raises(InputError):
            Query.from_params(params)


def test_the_core_loads_index_and_graph_once(core: Labscout) -> None:
    assert core.index() is core.index()
    assert core.graph() is core.graph()
    assert core.store.read_only


def test_institution_view_is_its_line_of_the_ladder(core: Labscout) -> None:
    ladder = core.ladder(Query(text=Q, top=1000))
    for line in (ladder.institutions[0], ladder.institutions[-1]):
        view = core.institution(line.institution_id, Q)
        assert view.rank == line.to_dict()
        assert view.n_ranked == len(ladder.institutions)
    plain = core.institution(ladder.institutions[0].institution_id)
    assert plain.rank is None and plain.topic is None and plain.institution["id"]


def test_institution_json_is_the_cli_json(core: Labscout, client: TestClient, demo_db) -> None:
    inst = core.ladder(Query(text=Q, top=1)).institutions[0].institution_id
    cli = _cli("institution", inst, "--topic", Q, "--db", demo_db, "-f", "json")
    assert client.get(f"/institution/{inst}.json", params={"q": Q}).text == cli
    assert core.institution(inst, Q).to_json() == cli
    assert json.loads(cli)["rank"]["rank"] == 1
    table = _cli("institution", inst, "--topic", Q, "--db", demo_db)
    assert "#1 of" in table and "tier 1" in table


def test_empty_web_search_json_is_a_400(client: TestClient) -> None:
    r = client.get("/search.json")
    assert r.status_code == 400 and r.json()["error"] == "nothing to search for"


def test_the_public_api_is_reexported_and_records_stay_light() -> None:
    import subprocess
    import sys

    import labscout

    assert labscout.Labscout is Labscout and labscout.Query is Query
    assert {"Labscout", "Query", "FindResult", "to_json"} <= set(labscout.__all__)
    code = (
        "import sys, labscout.records; "
        "heavy = {'duckdb', 'numpy', 'labscout.core', 'labscout.store'} & set(sys.modules); "
        "sys.exit(f'loaded {heavy}' if heavy else 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_plan_json_with_from_and_know_is_the_cli_json(
    core: Labscout, client: TestClient, demo_db: str
) -> None:
    top = core.find(Query(text=Q, top=1)).matches[0]
    coauthor = core.researcher(top.author_id).top_coauthors[0].author_id
    inst = core.ladder(Query(text=Q, top=3)).institutions[2].institution_id
    cli = _cli("plan", Q, "--from", inst, "--know", coauthor, "--db", demo_db, "-f", "json")
    web = client.get("/plan.json", params={"q": Q, "from": inst, "know": coauthor})
    assert web.status_code == 200 and web.text == cli
    assert core.plan(Query(text=Q, from_institution=inst, reach_from=(coauthor,))).to_json() == cli
    data = json.loads(cli)
    assert data["start"]["institution_id"] == inst and data["known"][0]["id"]
    page = client.get("/plan", params={"q": Q, "from": inst, "know": coauthor})
    assert page.status_code == 200 and "Reading list" in page.text and "Internships" in page.text
    missing = client.get("/plan.json", params={"q": Q, "from": "No Such Place Anywhere"})
    assert missing.status_code == 404 and missing.json()["hint"]
