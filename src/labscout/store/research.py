"""Typed reads for ranking, ladders, filters, the index and signals (a mixin of Store).

Each returns plain values (tuples, dicts, records), never a DuckDB relation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import duckdb

from labscout.records import Authorship, Work
from labscout.store.people_sql import CurrentInstitution, current_institutions_sql, has_links

_ENTITIES = ("authors", "institutions", "works")


@dataclass(frozen=True)
class InstitutionInfo:
    id: str
    display_name: str | None
    country_code: str | None
    type: str | None


class Bridge(NamedTuple):
    """A researcher's latest work with someone at a given place."""

    coauthor_id: str
    coauthor_name: str
    institution_id: str
    work_id: str
    title: str | None
    year: int | None


class ResearchReads:
    con: duckdb.DuckDBPyConnection

    # -- people --------------------------------------------------------------
    def current_institutions(self, author_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Author (or person) id -> the institutions they are at now, the main one first.

        The one rule for "a person's current institution" everywhere; a person
        is every author record identity links join to the id:

        1. the ``last_known_institution_ids`` of the id's own author record;
        2. else those of another record of the same person (full records
           first, then by id);
        3. else the ``institution_ids`` of the person's most recent authorship
           that names any: latest ``publication_year``, then latest
           ``publication_date``, then the greatest work id (ties are stable);
        4. else the id is left out (institution unknown).

        Merged ids are not followed; repeats in a list are dropped, first kept.
        """
        return {
            i: c.institution_ids for i, c in self.current_institution_details(author_ids).items()
        }

    def current_institution_details(
        self, author_ids: Iterable[str]
    ) -> dict[str, CurrentInstitution]:
        """:meth:`current_institutions` with the basis of each answer (record or latest work)."""
        ids = list(dict.fromkeys(author_ids))
        if not ids:
            return {}
        sql = current_institutions_sql("(SELECT DISTINCT unnest($ids) AS id)", has_links(self.con))
        rows = self.con.execute(f"{sql} ORDER BY 1", {"ids": ids}).fetchall()
        found = {
            aid: CurrentInstitution(tuple(dict.fromkeys(insts)), basis, work_id)
            for aid, insts, basis, work_id in rows
        }
        return {i: found[i] for i in ids if i in found}

    def author_names(self, author_ids: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
        """Author id -> (display name, ORCID) of the stored author records."""
        if not author_ids:
            return {}
        rows = self.con.execute(
            "SELECT id, display_name, orcid FROM authors WHERE id IN (SELECT unnest(?))",
            [list(author_ids)],
        ).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def names_or_raw(self, author_ids: Sequence[str]) -> dict[str, str]:
        """Author id -> the record's display name, else a name printed on one of their
        authorships; ids with neither are left out."""
        if not author_ids:
            return {}
        rows = self.con.execute(
            """
            WITH q AS (SELECT DISTINCT unnest($ids) AS id),
            raw AS (
                SELECT s.author_id, any_value(s.raw_author_name) AS raw
                FROM authorships s JOIN q ON q.id = s.author_id GROUP BY s.author_id
            )
            SELECT q.id, coalesce(a.display_name, r.raw) FROM q
            LEFT JOIN authors a ON a.id = q.id LEFT JOIN raw r ON r.author_id = q.id
            """,
            {"ids": list(author_ids)},
        ).fetchall()
        return {i: n for i, n in rows if n}

    def best_author_record(self, author_ids: Sequence[str], first: str) -> tuple[str | None, ...]:
        """(name, ORCID) of one person from their records: ``first``'s own, then full
        records, then by id; each field from the first record that has it."""
        rows = self.con.execute(
            "SELECT display_name, orcid FROM authors WHERE id IN (SELECT unnest(?)) "
            "ORDER BY (id = ?) DESC, is_full DESC, id",
            [list(author_ids), first],
        ).fetchall()
        name = next((r[0] for r in rows if r[0]), None)
        orcid = next((r[1] for r in rows if r[1]), None)
        return name, orcid

    def work_ids_of(self, author_ids: Sequence[str]) -> list[str]:
        """The works any of ``author_ids`` is an author of, sorted."""
        rows = self.con.execute(
            "SELECT DISTINCT work_id FROM authorships WHERE author_id IN (SELECT unnest(?)) "
            "ORDER BY 1",
            [list(author_ids)],
        ).fetchall()
        return [r[0] for r in rows]

    def coauthor_ids(self, work_ids: Sequence[str], excluding: Sequence[str]) -> list[str]:
        """The authors of ``work_ids`` other than ``excluding``, sorted."""
        rows = self.con.execute(
            "SELECT DISTINCT author_id FROM authorships WHERE work_id IN (SELECT unnest(?)) "
            "AND author_id NOT IN (SELECT unnest(?)) ORDER BY 1",
            [list(work_ids), list(excluding)],
        ).fetchall()
        return [r[0] for r in rows]

    def first_years(self, author_ids: Sequence[str]) -> dict[str, int]:
        """Author id -> the year of their first dated work in the store."""
        if not author_ids:
            return {}
        rows = self.con.execute(
            """
            SELECT s.author_id, min(w.publication_year) FROM authorships s
            JOIN works w ON w.id = s.work_id
            WHERE s.author_id IN (SELECT unnest(?)) AND w.publication_year IS NOT NULL
            GROUP BY s.author_id
            """,
            [list(author_ids)],
        ).fetchall()
        return dict(rows)

    def active_since(self, author_ids: Sequence[str], year: int) -> set[str]:
        """The ids among ``author_ids`` whose person has a stored work from ``year`` on."""
        if not author_ids:
            return set()
        rows = self.con.execute(
            """
            WITH asked AS (SELECT unnest(?) AS id),
            person AS (
                SELECT asked.id AS asked, coalesce(p2.author_id, asked.id) AS author_id
                FROM asked
                LEFT JOIN author_person p1 ON p1.author_id = asked.id OR p1.person_id = asked.id
                LEFT JOIN author_person p2 ON p2.person_id = p1.person_id
            )
            SELECT DISTINCT person.asked FROM person
            JOIN authorships s ON s.author_id = person.author_id
            JOIN works w ON w.id = s.work_id
            WHERE w.publication_year >= ?
            """,
            [list(author_ids), year],
        ).fetchall()
        return {r[0] for r in rows}

    # -- names and institutions ----------------------------------------------
    def display_names(self, entity: str, ids: Sequence[str]) -> dict[str, str]:
        """Id -> display name of stored ``entity`` records (authors, institutions,
        works); ids without a record or a name are left out."""
        if entity not in _ENTITIES:
            raise ValueError(f"unknown entity {entity!r}")
        if not ids:
            return {}
        column = "title" if entity == "works" else "display_name"
        rows = self.con.execute(
            f"SELECT id, {column} FROM {entity} WHERE id IN (SELECT unnest(?))", [list(ids)]
        ).fetchall()
        return {i: n for i, n in rows if n}

    def institution_info(self, ids: Iterable[str]) -> dict[str, InstitutionInfo]:
        """Id -> name, country and type of the stored institutions among ``ids``."""
        ids = sorted(set(ids))
        if not ids:
            return {}
        rows = self.con.execute(
            "SELECT id, display_name, country_code, type FROM institutions "
            "WHERE id IN (SELECT unnest(?))",
            [ids],
        ).fetchall()
        return {r[0]: InstitutionInfo(*r) for r in rows}

    def has_institution(self, institution_id: str) -> bool:
        row = self.con.execute("SELECT 1 FROM institutions WHERE id = ?", [institution_id])
        return row.fetchone() is not None

    def institutions_named(self, name: str) -> list[str]:
        """Institutions named exactly ``name`` (case ignored), most authorships first."""
        count = "(SELECT count(*) FROM authorships s WHERE list_contains(s.institution_ids, i.id))"
        rows = self.con.execute(
            f"SELECT id FROM institutions i WHERE lower(display_name) = lower(?) "
            f"ORDER BY {count} DESC, id",
            [name],
        ).fetchall()
        return [r[0] for r in rows]

    def institutions_like(self, part: str, limit: int) -> list[tuple[str, str]]:
        """(id, name) of up to ``limit`` institutions whose name contains ``part``."""
        return self.con.execute(
            "SELECT id, display_name FROM institutions WHERE display_name ILIKE ? "
            "ORDER BY display_name, id LIMIT ?",
            [f"%{part}%", limit],
        ).fetchall()

    # -- works -----------------------------------------------------------------
    def has_work(self, work_id: str) -> bool:
        row = self.con.execute("SELECT 1 FROM works WHERE id = ?", [work_id])
        return row.fetchone() is not None

    def max_publication_year(self) -> int | None:
        return self.con.execute("SELECT max(publication_year) FROM works").fetchone()[0]

    def work_ids_since(self, year: int) -> set[str]:
        """Works published in ``year`` or later."""
        rows = self.con.execute("SELECT id FROM works WHERE publication_year >= ?", [year])
        return {r[0] for r in rows.fetchall()}

    def work_titles(self) -> list[tuple[str, str]]:
        """(id, title) of every work with a title, by id."""
        return self.con.execute(
            "SELECT id, title FROM works WHERE title IS NOT NULL ORDER BY id"
        ).fetchall()

    def work_texts(self) -> list[tuple[str, str | None, str | None]]:
        """(id, title, abstract) of every work, by id: what the index embeds."""
        return self.con.execute("SELECT id, title, abstract FROM works ORDER BY id").fetchall()

    def work_years(self, ids: Sequence[str]) -> dict[str, tuple[str | None, int | None]]:
        """Id -> (title, publication year) of the stored works among ``ids``."""
        if not ids:
            return {}
        rows = self.con.execute(
            "SELECT id, title, publication_year FROM works WHERE id IN (SELECT unnest($ids))",
            {"ids": list(ids)},
        ).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def works_for_ranking(self, ids: Sequence[str]) -> dict[str, Work]:
        """The works ``ids`` with the fields ranking and evidence need (title, year,
        venue, DOI, authorships; no abstracts, topics or references): fast."""
        if not ids:
            return {}
        aships: dict[str, list[Authorship]] = {}
        for r in self.con.execute(
            "SELECT work_id, author_id, author_position, position_index, is_corresponding, "
            "raw_author_name, raw_affiliation_strings, institution_ids FROM authorships "
            "WHERE work_id IN (SELECT unnest(?)) ORDER BY work_id, position_index",
            [list(ids)],
        ).fetchall():
            aships.setdefault(r[0], []).append(
                Authorship(r[1], r[2] or "middle", r[3] or 0, bool(r[4]), r[5],
                           tuple(r[6] or ()), tuple(r[7] or ()))
            )  # fmt: skip
        return {
            wid: Work(
                id=wid,
                title=title or "",
                publication_year=year,
                venue=venue,
                doi=doi,
                authorships=tuple(aships.get(wid, ())),
            )
            for wid, title, year, venue, doi in self.con.execute(
                "SELECT id, title, publication_year, venue, doi FROM works "
                "WHERE id IN (SELECT unnest(?))",
                [list(ids)],
            ).fetchall()
        }

    # -- ladders ---------------------------------------------------------------
    def field_totals(self, first_year: int, last_year: int) -> tuple[int, int]:
        """(works, their citations) published from ``first_year`` to ``last_year``."""
        n, cites = self.con.execute(
            "SELECT count(*), coalesce(sum(greatest(coalesce(cited_by_count, 0), 0)), 0) "
            "FROM works WHERE publication_year BETWEEN ? AND ?",
            [first_year, last_year],
        ).fetchone()
        return int(n), int(cites)

    def institution_totals(self, first_year: int, last_year: int) -> list[tuple[str, int, int]]:
        """(institution id, works, their citations) over the years given, each work
        counted once per institution named on it."""
        return self.con.execute(
            """
            WITH pairs AS (
                SELECT DISTINCT s.work_id, unnest(s.institution_ids) AS iid
                FROM authorships s JOIN works w ON w.id = s.work_id
                WHERE w.publication_year BETWEEN ? AND ?
            )
            SELECT p.iid, count(*), coalesce(sum(greatest(coalesce(w.cited_by_count, 0), 0)), 0)
            FROM pairs p JOIN works w ON w.id = p.work_id
            GROUP BY p.iid
            """,
            [first_year, last_year],
        ).fetchall()

    def person_institutions_on(
        self, work_ids: Sequence[str]
    ) -> list[tuple[str, str, tuple[str, ...]]]:
        """(work id, person id, institution ids) for each authorship on ``work_ids``."""
        if not work_ids:
            return []
        rows = self.con.execute(
            """
            SELECT s.work_id, coalesce(p.person_id, s.author_id), s.institution_ids
            FROM authorships s LEFT JOIN author_person p ON p.author_id = s.author_id
            WHERE s.work_id IN (SELECT unnest(?))
            """,
            [list(work_ids)],
        ).fetchall()
        return [(w, p, tuple(insts or ())) for w, p, insts in rows]

    def bridges(self, researcher_ids: Sequence[str], peers: Sequence[str]) -> dict[str, Bridge]:
        """Researcher (person id) -> their latest work with a co-author at one of the
        ``peers`` institutions (ties: work id, the co-author's position, institution)."""
        if not researcher_ids or not peers:
            return {}
        rows = self.con.execute(
            """
            WITH me AS (
                SELECT coalesce(p.person_id, s.author_id) AS pid, s.author_id, s.work_id
                FROM authorships s LEFT JOIN author_person p ON p.author_id = s.author_id
                WHERE coalesce(p.person_id, s.author_id) IN (SELECT unnest(?))
            ),
            peer AS (SELECT unnest(?) AS iid),
            other AS (
                SELECT work_id, author_id, raw_author_name, position_index,
                       unnest(institution_ids) AS iid
                FROM authorships WHERE work_id IN (SELECT work_id FROM me)
            )
            SELECT me.pid, o.author_id, coalesce(a.display_name, o.raw_author_name, o.author_id),
                   o.iid, w.id, w.title, w.publication_year
            FROM me
            JOIN other o ON o.work_id = me.work_id AND o.author_id <> me.author_id
            JOIN peer ON peer.iid = o.iid
            JOIN works w ON w.id = me.work_id
            LEFT JOIN authors a ON a.id = o.author_id
            ORDER BY me.pid, w.publication_year DESC NULLS LAST, w.id, o.position_index, o.iid
            """,
            [list(researcher_ids), list(peers)],
        ).fetchall()
        out: dict[str, Bridge] = {}
        for pid, *rest in rows:
            out.setdefault(pid, Bridge(*rest))
        return out
