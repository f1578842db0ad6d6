"""Hostile DBLP XML: external entities are refused, the DTD's own entities still resolve."""

from __future__ import annotations

from pathlib import Path

import pytest

from labscout.errors import InputError
from labscout.ingest import dblp_xml
from labscout.store import Store

DTD = '<!ELEMENT dblp ANY>\n<!ENTITY eacute "&#233;">\n'


def _dblp(tmp_path: Path, doctype_extra: str, title: str) -> Path:
    (tmp_path / "dblp.dtd").write_text(DTD, encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    xml = tmp_path / "dblp.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE dblp SYSTEM "dblp.dtd" [\n{doctype_extra.format(secret=secret.as_uri())}\n]>\n'
        "<dblp>\n"
        '<article key="journals/x/A1" mdate="2020-01-01">'
        f"<author>Ann Author</author><title>{title}</title>"
        "<year>2020</year><journal>J</journal></article>\n"
        '<article key="journals/x/A2" mdate="2020-01-01">'
        "<author>Fr&eacute;d&eacute;ric Loulergue</author><title>A safe title</title>"
        "<year>2021</year><journal>J</journal></article>\n"
        "</dblp>\n",
        encoding="utf-8",
    )
    return xml


def _titles(store: Store) -> list[str]:
    return [r[0] for r in store.con.execute("SELECT title FROM works ORDER BY id").fetchall()]


def test_external_general_entity_is_not_read(store: Store, tmp_path: Path) -> None:
    xml = _dblp(tmp_path, '<!ENTITY x SYSTEM "{secret}">', "Leak &x; here")
    report = dblp_xml(store, xml, match=False)
    titles = _titles(store)
    assert not any("TOP-SECRET" in t for t in titles)
    assert "A safe title" in titles  # the rest of the file is kept
    assert report.rejected == 1 and "external entit" in report.rejects[0].reason
    name = store.con.execute("SELECT display_name FROM authors WHERE id LIKE '%Lou%'").fetchone()
    assert name == ("Frédéric Loulergue",)  # the DTD's own entities still resolve


def test_external_parameter_entity_is_not_read(store: Store, tmp_path: Path) -> None:
    extra = '<!ENTITY % p SYSTEM "{secret}">\n%p;'
    xml = _dblp(tmp_path, extra, "Plain title")
    dblp_xml(store, xml, match=False)
    assert not any("TOP-SECRET" in t for t in _titles(store))


def test_doctype_pointing_elsewhere_reads_only_the_given_dtd(store: Store, tmp_path: Path) -> None:
    xml = _dblp(tmp_path, "", "T")
    secret = (tmp_path / "secret.txt").as_uri()
    xml.write_text(xml.read_text().replace('SYSTEM "dblp.dtd"', f'SYSTEM "{secret}"'))
    with pytest.raises(InputError) as err:  # its &eacute; is then undeclared: a broken file
        dblp_xml(store, xml, match=False)
    assert "TOP-SECRET" not in err.value.message
    assert not any("TOP-SECRET" in t for t in _titles(store))


def test_entity_expansion_bomb_does_not_blow_up(store: Store, tmp_path: Path) -> None:
    lol = ['<!ENTITY a0 "lol">'] + [
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    xml = _dblp(tmp_path, "\n".join(lol), "Bomb &a9;")
    try:
        dblp_xml(store, xml, match=False)
    except InputError as exc:
        assert "broken" in exc.message
    assert all(len(t) < 10_000 for t in _titles(store))
