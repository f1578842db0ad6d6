"""Reading records back: works, authors, institutions, ids, counts (a mixin of Store)."""

from __future__ import annotations

import json

import duckdb

from labscout.errors import NotFoundError
from labscout.records import Author, Authorship, Institution, Topic, Work


class RecordReads:
    """Records by id and the store's counts and fingerprint."""

    con: duckdb.DuckDBPyConnection

    def counts(self) -> dict[str, int]:
        out = {}
        for table in ("works", "authors", "institutions", "authorships", "merged_ids"):
            out[table] = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        out["works_with_abstract"] = self.con.execute(
            "SELECT count(*) FROM works WHERE abstract IS NOT NULL AND abstract <> ''"
        ).fetchone()[0]
        out["ingest_runs"] = self.con.execute("SELECT count(*) FROM ingest_runs").fetchone()[0]
        return out

    def count_works_except(self, ids: list[str]) -> int:
        """How many stored works are not among ``ids``."""
        row = self.con.execute(
            "SELECT count(*) FROM works WHERE NOT list_contains(?, id)", [ids]
        ).fetchone()
        return int(row[0]) if row else 0

    def fingerprint(self) -> str:
        """Changes whenever stored data changes; indexes record it to detect staleness."""
        version = self.con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[
            0
        ]
        n = self.con.execute("SELECT count(*) FROM works").fetchone()[0]
        return f"works={n};version={version}"

    def resolve_id(self, entity: str, id_: str) -> str:
        """Follow OpenAlex merges from ``id_`` to the surviving id."""
        seen = {id_}
        while True:
            row = self.con.execute(
                "SELECT new_id FROM merged_ids WHERE entity = ? AND old_id = ?", [entity, id_]
            ).fetchone()
            if not row or row[0] in seen:
                return id_
            id_ = row[0]
            seen.add(id_)

    def get_work(self, work_id: str) -> Work:
        work_id = self.resolve_id("works", work_id)
        works = self.get_works([work_id])
        if not works:
            raise NotFoundError(f"no work with id {work_id} in the store")
        return works[0]

    def get_works(self, ids: list[str]) -> list[Work]:
        """Works by id, in the order given; unknown ids are skipped."""
        if not ids:
            return []
        cur = self.con.execute(
            "SELECT id, title, abstract, doi, publication_year, publication_date, type, "
            "language, cited_by_count, source_id, venue, is_retracted, topics, concepts, "
            "referenced_works, source, extra FROM works WHERE id IN (SELECT unnest(?))",
            [list(ids)],
        )
        rows = {r[0]: r for r in cur.fetchall()}
        aship: dict[str, list[Authorship]] = {}
        for r in self.con.execute(
            "SELECT work_id, author_id, author_position, position_index, is_corresponding, "
            "raw_author_name, raw_affiliation_strings, institution_ids FROM authorships "
            "WHERE work_id IN (SELECT unnest(?)) ORDER BY work_id, position_index",
            [list(rows)],
        ).fetchall():
            aship.setdefault(r[0], []).append(
                Authorship(
                    author_id=r[1],
                    author_position=r[2],
                    position_index=r[3],
                    is_corresponding=bool(r[4]),
                    raw_author_name=r[5],
                    raw_affiliation_strings=tuple(r[6] or ()),
                    institution_ids=tuple(r[7] or ()),
                )
            )
        wids: dict[str, list[tuple[str, str]]] = {}
        for wid, scheme, value in self.con.execute(
            "SELECT work_id, scheme, value FROM work_ids WHERE work_id IN (SELECT unnest(?))",
            [list(rows)],
        ).fetchall():
            wids.setdefault(wid, []).append((scheme, value))
        out = []
        for id_ in ids:
            r = rows.get(id_)
            if r is None:
                continue
            out.append(
                Work(
                    id=r[0],
                    title=r[1],
                    abstract=r[2],
                    doi=r[3],
                    publication_year=r[4],
                    publication_date=r[5],
                    type=r[6],
                    language=r[7],
                    cited_by_count=r[8],
                    source_id=r[9],
                    venue=r[10],
                    is_retracted=bool(r[11]),
                    topics=tuple(Topic(**t) for t in r[12] or ()),
                    concepts=tuple(Topic(**t) for t in r[13] or ()),
                    referenced_works=tuple(r[14] or ()),
                    authorships=tuple(aship.get(id_, ())),
                    ids=tuple(sorted(wids.get(id_, ()))),
                    source=r[15],
                    extra=json.loads(r[16]) if r[16] else {},
                )
            )
        return out

    def get_author(self, author_id: str) -> Author:
        author_id = self.resolve_id("authors", author_id)
        r = self.con.execute(
            "SELECT id, display_name, orcid, name_variants, works_count, cited_by_count, "
            "last_known_institution_ids, source, is_full FROM authors WHERE id = ?",
            [author_id],
        ).fetchone()
        if r is None:
            raise NotFoundError(f"no author with id {author_id} in the store")
        ids = self.con.execute(
            "SELECT scheme, value FROM author_ids WHERE author_id = ? ORDER BY scheme, value",
            [author_id],
        ).fetchall()
        return Author(
            id=r[0],
            display_name=r[1],
            orcid=r[2],
            name_variants=tuple(r[3] or ()),
            works_count=r[4],
            cited_by_count=r[5],
            last_known_institution_ids=tuple(r[6] or ()),
            ids=tuple((s, v) for s, v in ids),
            source=r[7],
            is_full=bool(r[8]),
        )

    def get_institution(self, institution_id: str) -> Institution:
        institution_id = self.resolve_id("institutions", institution_id)
        r = self.con.execute(
            "SELECT id, display_name, ror, country_code, type, lineage, source "
            "FROM institutions WHERE id = ?",
            [institution_id],
        ).fetchone()
        if r is None:
            raise NotFoundError(f"no institution with id {institution_id} in the store")
        return Institution(
            id=r[0],
            display_name=r[1],
            ror=r[2],
            country_code=r[3],
            type=r[4],
            lineage=tuple(r[5] or ()),
            source=r[6],
        )

    def find_work_ids(self, scheme: str, value: str) -> list[str]:
        """Works carrying the external id ``scheme:value`` (doi matches the doi column)."""
        if scheme == "doi":
            return [
                r[0]
                for r in self.con.execute(
                    "SELECT id FROM works WHERE doi = ?", [value.lower()]
                ).fetchall()
            ]
        return [
            r[0]
            for r in self.con.execute(
                "SELECT work_id FROM work_ids WHERE scheme = ? AND lower(value) = lower(?)",
                [scheme, value],
            ).fetchall()
        ]
