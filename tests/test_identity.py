"""One person across sources: strong keys, names with evidence, never the name alone; split."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from labscout.cli import app
from labscout.ingest import dblp_xml, identities, openalex_files, resolve_identities, split_author
from labscout.records import Author, Authorship, Work
from labscout.sources.names import name_key, names_compatible, title_key
from labscout.store import Batch, Store

FIX = Path(__file__).parent / "fixtures" / "sources"


def work(wid: str, names: list[tuple[str, str]], year: int = 2020) -> Work:
    return Work(
        id=wid,
        title=f"Paper {wid}",
        publication_year=year,
        authorships=tuple(
            Authorship(author_id=aid, position_index=i, raw_author_name=name)
            for i, (aid, name) in enumerate(names)
        ),
    )


def people(works: list[Work]) -> list[Author]:
    return [
        Author(id=a.author_id, display_name=a.raw_author_name or "", source="test")
        for w in works
        for a in w.authorships
    ]


def test_names() -> None:
    assert names_compatible("Y. Bengio", "Yoshua Bengio")
    assert names_compatible("Bengio, Yoshua", "Yoshua Bengio")
    assert names_compatible("Michael Schwarz 0001", "Michael Schwarz")
    assert not names_compatible("Wei Wang", "Wen Wang")
    assert not names_compatible("J. Smith", "K. Smith")
    assert name_key("Frédéric Loulergue") == "loulergue f"
    assert title_key("Attention Is All You Need.") == "attentionisallyouneed"


def test_two_wei_wangs_without_common_coauthors_stay_two(store: Store) -> None:
    works = [
        work("W1", [("a1", "Wei Wang"), ("b1", "Ana Lopez"), ("c1", "Jin Park")]),
        work("W2", [("a2", "Wei Wang"), ("d2", "Tom Berg"), ("e2", "Sara Ng")]),
    ]
    store.write(Batch(works=works, authors=people(works)))
    report = resolve_identities(store)
    assert report.linked == {}
    assert identities(store, "a1").members[0].author_id == "a1"
    assert len(identities(store, "a1").members) == 1


def test_initials_and_one_common_coauthor_are_not_enough(store: Store) -> None:
    works = [
        work("W1", [("a1", "Wei Wang"), ("b1", "Ana Lopez"), ("c1", "Jin Park")]),
        work("W2", [("a2", "W. Wang"), ("b2", "Ana Lopez"), ("d2", "Tom Berg")]),
        work("W3", [("a3", "Wei Wang"), ("b3", "Ana Lopez")]),
    ]
    store.write(Batch(works=works, authors=people(works)))
    resolve_identities(store)
    assert {m.author_id for m in identities(store, "a2").members} == {"a2"}
    # the same full name with one common co-author is the one person
    assert {m.author_id for m in identities(store, "a1").members} == {"a1", "a3"}


def test_same_name_with_two_common_coauthors_is_one_person(store: Store) -> None:
    works = [
        work("W1", [("a1", "Wei Wang"), ("b1", "Ana Lopez"), ("c1", "Jin Park")]),
        work("W2", [("a2", "W. Wang"), ("b2", "A. Lopez"), ("c2", "J. Park")]),
        work("W3", [("a3", "Wei Wang"), ("b3", "Ana Lopez")]),  # one co-author only
    ]
    store.write(Batch(works=works, authors=people(works)))
    report = resolve_identities(store)
    ident = identities(store, "a2")
    ids = {m.author_id for m in ident.members}
    assert {"a1", "a2"} <= ids
    rules = {m.link.rule for m in ident.members if m.link}
    assert rules == {"name+coauthors"}
    assert any("co-author(s) in common" in (m.link.reason or "") for m in ident.members if m.link)
    assert report.persons < report.authors


def test_strong_key_orcid_links_sources_and_split_undoes(store: Store, shared_data: Path) -> None:
    openalex_files(store, [shared_data / "openalex" / "works_ml_sample.json"])
    # without work matching, only the ORCID (DBLP person record, OpenAlex author) links them
    dblp_xml(store, FIX / "dblp_gcn.xml", dtd=shared_data / "dblp" / "dblp.dtd", match=False)
    resolve_identities(store)
    ident = identities(store, "dblp:homepages/w/MaxWelling")
    members = {m.author_id: m for m in ident.members}
    assert "A5087368991" in members  # OpenAlex's Max Welling, same ORCID
    why = [m.link for m in ident.members if m.link and m.link.rule == "orcid"]
    assert why and "0000-0003-1484-2121" in why[0].reason
    # undo: the DBLP record leaves the person and is not merged again
    result = split_author(store, "dblp:homepages/w/MaxWelling")
    assert result.undone
    assert len(identities(store, "dblp:homepages/w/MaxWelling").members) == 1
    again = resolve_identities(store)
    assert again.blocked >= 1
    assert len(identities(store, "dblp:homepages/w/MaxWelling").members) == 1
    person = store.con.execute(
        "SELECT person_id FROM author_person WHERE author_id = 'dblp:homepages/w/MaxWelling'"
    ).fetchone()[0]
    assert person == "dblp:homepages/w/MaxWelling"


def test_split_gives_back_a_shared_work_authorship(store: Store, shared_data: Path) -> None:
    openalex_files(store, [shared_data / "openalex" / "works_ml_sample.json"])
    dblp_xml(store, FIX / "dblp_gcn.xml", dtd=shared_data / "dblp" / "dblp.dtd")
    kipf = "dblp:homepages/t/ThomasNKipf"
    ident = identities(store, kipf)
    assert any(m.link and m.link.rule == "shared-work" for m in ident.members)
    # the DBLP name string on the work now stands for the person record
    assert identities(store, "dblp:name/Thomas N. Kipf").person_id == ident.person_id
    result = split_author(store, kipf)
    assert result.restored_authorships == 1
    authors = [a.author_id for a in store.get_work("W2519887557").authorships]
    assert kipf in authors


def test_cli_identities(tmp_path: Path, shared_data: Path) -> None:
    db = str(tmp_path / "c.duckdb")
    runner = CliRunner()
    args = ["--db", db]
    res = runner.invoke(
        app,
        ["ingest", "openalex-files", str(shared_data / "openalex" / "works_ml_sample.json"), *args],
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        app,
        [
            "ingest",
            "dblp",
            str(FIX / "dblp_gcn.xml"),
            "--dtd",
            str(shared_data / "dblp" / "dblp.dtd"),
            *args,
        ],
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["identities", "resolve", *args])
    assert res.exit_code == 0 and "new links" in res.output
    res = runner.invoke(app, ["identities", "--author", "A5087368991", *args])
    assert res.exit_code == 0 and "dblp:homepages/w/MaxWelling" in res.output
    res = runner.invoke(app, ["identities", "split", "dblp:homepages/w/MaxWelling", *args])
    assert res.exit_code == 0 and "split" in res.output
    res = runner.invoke(app, ["identities", "--author", "nobody", *args])
    assert res.exit_code == 2 and "Error:" in res.output
