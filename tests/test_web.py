"""The web app in-process (Starlette's TestClient): every route, as HTML and as JSON."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from labscout.index.build import build_index
from labscout.records import Authorship, Institution, Work
from labscout.store import Batch, Store
from labscout.web import create_app

Q = "graph neural networks"


@pytest.fixture(scope="module")
def client(demo_db: str) -> TestClient:
    c = TestClient(create_app(demo_db))
    yield c
    c.app.state.labscout.close()  # other tests may open the demo store for writing


def _first_researcher(client: TestClient) -> str:
    data = client.get("/search.json", params={"q": Q}).json()
    return data["matches"][0]["author_id"]


def test_search_page_shows_researcher_cards_with_evidence(client: TestClient) -> None:
    r = client.get("/", params={"q": Q})
    assert r.status_code == 200
    assert r.text.count('class="card researcher"') >= 5
    assert "Graph Neural Networks" in r.text  # an evidence title
    assert 'value="graph neural networks"' in r.text  # the query stays in the box


def test_search_json_is_the_find_result(client: TestClient) -> None:
    for url, params in (("/search.json", {"q": Q}), ("/", {"q": Q, "_format": "json"})):
        data = client.get(url, params=params).json()
        matches = data["matches"]
        assert matches and all(m["evidence"] for m in matches)
        assert data["query"]["text"] == Q


def test_empty_search_shows_the_form(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "What do you want to work on?" in r.text
    assert client.get("/search.json").status_code == 400  # nothing to search for


def test_filters_live_in_the_url(client: TestClient) -> None:
    r = client.get("/search.json", params={"q": Q, "type": "company", "top": 5})
    data = r.json()
    assert data["query"]["filters"]["types"] == ["company"] and data["query"]["top"] == 5
    assert len(data["matches"]) <= 5


def test_ladder_tab(client: TestClient) -> None:
    r = client.get("/", params={"q": Q, "tab": "ladder"})
    assert r.status_code == 200 and "in tiers" in r.text
    data = client.get("/search.json", params={"q": Q, "tab": "ladder"}).json()
    assert data["institutions"][0]["tier"] == 1


def test_researcher_page_and_json(client: TestClient) -> None:
    aid = _first_researcher(client)
    r = client.get(f"/researcher/{aid}")
    assert r.status_code == 200 and "The signals" in r.text and "<svg" in r.text
    profile = client.get(f"/researcher/{aid}.json").json()
    assert profile["author_id"] == aid and "activity" in profile


def test_how_to_reach_box_finds_a_coauthor_path(client: TestClient) -> None:
    aid = _first_researcher(client)
    profile = client.get(f"/researcher/{aid}.json").json()
    coauthor = profile["top_coauthors"][0]["author_id"]
    paths = client.get("/path.json", params={"to": aid, "from": coauthor}).json()
    assert paths[0]["hops"] == 1
    assert paths[0]["people"][0]["id"] == coauthor
    html = client.get(f"/researcher/{aid}", params={"from": coauthor}).text
    assert "(1 step)" in html


def test_institution_page_with_topic(client: TestClient) -> None:
    ladder = client.get("/search.json", params={"q": Q, "tab": "ladder"}).json()
    inst = ladder["institutions"][0]["institution_id"]
    data = client.get(f"/institution/{inst}.json", params={"q": Q}).json()
    assert data["rank"]["tier"] == 1 and data["rank"]["researchers"]
    assert client.get(f"/institution/{inst}", params={"q": Q}).status_code == 200


def test_reading_list(client: TestClient) -> None:
    r = client.get("/read", params={"q": Q})
    assert r.status_code == 200 and 'class="reading"' in r.text
    items = client.get("/read.json", params={"q": Q}).json()["items"]
    assert items and all(i["reason"] for i in items)


def test_reading_list_links_every_item(client: TestClient) -> None:
    items = client.get("/read.json", params={"q": Q}).json()["items"]
    assert all(i["url"].startswith("https://") for i in items)
    html = client.get("/read", params={"q": Q}).text
    assert f'href="{items[0]["url"]}"' in html.replace("&amp;", "&")


def test_topics_page_and_json(client: TestClient) -> None:
    empty = client.get("/topics")
    assert empty.status_code == 200 and 'action="/topics"' in empty.text
    data = client.get("/topics.json", params={"q": Q, "sort": "size"}).json()
    assert data["sort"] == "size" and data["topics"]
    sizes = [t["n_works"] for t in data["topics"]]
    assert sizes == sorted(sizes, reverse=True)
    html = client.get("/topics", params={"q": Q, "sort": "abstract"}).text
    assert 'class="topics"' in html and "vs yours" in html
    assert '<option value="abstract" selected>' in html
    assert client.get("/topics", params={"q": Q, "sort": "nope"}).status_code == 400
    assert client.get("/topics.json").status_code == 400


def test_unknown_ids_give_404_with_search_box(client: TestClient) -> None:
    for url in ("/researcher/A0", "/institution/I0", "/no/such/page"):
        r = client.get(url)
        assert r.status_code == 404
        assert "What do you want to work on?" in r.text and "Traceback" not in r.text
    assert client.get("/researcher/A0.json").json()["status"] == 404


@pytest.mark.parametrize(
    "params",
    [{"q": "x" * 501}, {"q": Q, "top": "1000"}, {"q": Q, "top": "ten"}, {"like": "W1," * 30}],
)
def test_out_of_bounds_requests_give_400(client: TestClient, params) -> None:
    r = client.get("/", params=params)
    assert r.status_code == 400 and "Bad request" in r.text


def test_unknown_liked_paper_is_a_clear_page(client: TestClient) -> None:
    r = client.get("/", params={"like": "W0"})
    assert r.status_code == 404 and "Traceback" not in r.text


def test_text_from_the_data_is_escaped(tmp_path) -> None:
    path = tmp_path / "xss.duckdb"
    evil = "<script>alert(1)</script>"
    with Store(path) as s:
        s.write(
            Batch(
                works=[
                    Work(
                        id="W1",
                        title=evil,
                        abstract="graph neural networks for molecules",
                        publication_year=2024,
                        authorships=(Authorship("A1", "last", 0, institution_ids=("I1",)),),
                    )
                ],
                institutions=[Institution("I1", evil, type="education")],
            )
        )
        from labscout.records import Author

        s.write(Batch(authors=[Author("A1", evil, is_full=True)]))
        build_index(s)
    client = TestClient(create_app(path))
    pages = (("/", {"q": Q}), ("/researcher/A1", {}), ("/read", {"q": Q}), ("/topics", {"q": Q}))
    for url, params in pages:
        html = client.get(url, params=params).text
        assert evil not in html
        assert "&lt;script&gt;" in html


def test_store_is_opened_read_only(client: TestClient) -> None:
    store = client.app.state.labscout.store
    assert store.read_only
    with pytest.raises(Exception):  # noqa: B017 - DuckDB refuses writes on a read-only file
        store.con.execute("DELETE FROM works")


def test_links_on_search_page_are_shareable(client: TestClient) -> None:
    html = client.get("/", params={"q": Q, "country": "US"}).text
    tab = re.search(r'href="(/\?[^"]*tab=ladder[^"]*)"', html).group(1)
    assert "country=US" in tab and "q=graph+neural+networks" in tab
