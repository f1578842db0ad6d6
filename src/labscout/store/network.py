"""Reads over the whole co-author network: the graph's arrays and committee conflicts
(a mixin of Store). People are persons: identity links fold author records together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np

from labscout.store.people_sql import authorships_sql, current_institutions_sql, has_links

_COAUTHOR = """
WITH rw AS (
    SELECT DISTINCT a.author_id AS rid, a.work_id FROM authorships a
    JOIN _c_rev r ON r.rid = a.author_id
),
aw AS (
    SELECT DISTINCT s.paper_id, s.aid, a.work_id FROM authorships a
    JOIN _c_sub s ON s.aid = a.author_id
),
sizes AS (
    SELECT work_id, count(DISTINCT author_id) AS n FROM authorships
    WHERE work_id IN (SELECT work_id FROM rw) GROUP BY work_id
)
SELECT aw.paper_id, rw.rid, aw.aid, count(*) AS n,
       arg_max(w.title, w.publication_year) AS title, max(w.publication_year) AS y
FROM rw JOIN aw ON aw.work_id = rw.work_id AND aw.aid <> rw.rid
JOIN works w ON w.id = rw.work_id JOIN sizes z ON z.work_id = rw.work_id
WHERE w.publication_year >= $since AND z.n <= $cap
GROUP BY 1, 2, 3
"""

_INSTITUTION = """
WITH cur AS ({current}),
ci AS (SELECT id, unnest(insts) AS inst FROM cur)
SELECT DISTINCT s.paper_id, r.rid, s.aid, c1.inst, coalesce(i.display_name, c1.inst)
FROM _c_sub s JOIN ci c1 ON c1.id = s.aid
JOIN ci c2 ON c2.inst = c1.inst JOIN _c_rev r ON r.rid = c2.id
LEFT JOIN institutions i ON i.id = c1.inst
WHERE r.rid <> s.aid
"""

_ADVISOR = """
WITH people AS (SELECT rid AS id FROM _c_rev UNION SELECT aid FROM _c_sub),
fy AS (
    SELECT s.author_id AS id, min(w.publication_year) AS fy FROM authorships s
    JOIN people p ON p.id = s.author_id JOIN works w ON w.id = s.work_id GROUP BY 1
),
fl AS (
    SELECT f.author_id AS student, l.author_id AS advisor, w.publication_year AS y
    FROM authorships f
    JOIN authorships l ON l.work_id = f.work_id AND l.author_position = 'last'
         AND l.author_id <> f.author_id
    JOIN works w ON w.id = f.work_id JOIN fy ON fy.id = f.author_id
    WHERE f.author_position = 'first' AND f.author_id IN (SELECT id FROM people)
      AND l.author_id IN (SELECT id FROM people) AND w.publication_year < fy.fy + $early
),
adv AS (
    SELECT student, advisor, count(*) AS n,
           min(y) AS y0, max(y) AS y1
    FROM fl GROUP BY 1, 2 HAVING count(*) >= $min_works
)
SELECT DISTINCT s.paper_id, r.rid, s.aid, adv.student, adv.advisor, adv.n, adv.y0, adv.y1
FROM adv JOIN _c_sub s ON s.aid IN (adv.student, adv.advisor)
JOIN _c_rev r ON r.rid IN (adv.student, adv.advisor) AND r.rid <> s.aid
"""


@dataclass(frozen=True)
class ConflictRows:
    """What links reviewers to submission authors, one row per (paper, reviewer, author)."""

    coauthor: list[tuple[str, str, str, int, str | None, int | None]]
    """(paper, reviewer, author, shared works, latest title, latest year)."""
    institution: list[tuple[str, str, str, str, str]]
    """(paper, reviewer, author, institution id, institution name): both there now."""
    advisor: list[tuple[str, str, str, str, str, int, int, int]]
    """(paper, reviewer, author, student, advisor, works, first year, last year)."""


class NetworkReads:
    con: duckdb.DuckDBPyConnection

    def coauthor_arrays(self, max_authors: int, half_life: float) -> dict[str, Any]:
        """The co-author graph's arrays (see :mod:`labscout.graph.build`): nodes are
        persons; an edge per pair sharing a work of 2..``max_authors`` authors with its
        works (newest first), count, strength (each work ``0.5 ** (age / half_life)``)
        and latest year; each node's name and current institution's name."""
        con = self.con
        ships = authorships_sql(con)
        ref = con.execute("SELECT max(publication_year) FROM works").fetchone()[0]
        ref = int(ref) if ref is not None else 0
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _ls_pw AS
            WITH small AS (
                SELECT work_id FROM authorships GROUP BY work_id
                HAVING count(DISTINCT author_id) BETWEEN 2 AND $max_authors
            ),
            aa AS (
                SELECT DISTINCT a.work_id, a.author_id
                FROM {ships} a JOIN small s ON s.work_id = a.work_id
            )
            SELECT x.author_id AS a, y.author_id AS b, x.work_id, w.publication_year AS y
            FROM aa x JOIN aa y ON x.work_id = y.work_id AND x.author_id < y.author_id
            LEFT JOIN works w ON w.id = x.work_id
            """,
            {"max_authors": max_authors},
        )
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _ls_nodes AS
            SELECT id, (row_number() OVER (ORDER BY id) - 1)::INTEGER AS i
            FROM (SELECT a AS id FROM _ls_pw UNION SELECT b FROM _ls_pw)
            """
        )
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _ls_edges AS
            SELECT na.i AS src, nb.i AS dst,
                   (row_number() OVER (ORDER BY na.i, nb.i) - 1)::INTEGER AS e,
                   count(*)::INTEGER AS n_works,
                   sum(pow(0.5, greatest($ref - coalesce(p.y, $ref - $half), 0) / $half))
                       AS strength,
                   coalesce(max(p.y), -1)::INTEGER AS last_year
            FROM _ls_pw p JOIN _ls_nodes na ON na.id = p.a JOIN _ls_nodes nb ON nb.id = p.b
            GROUP BY na.i, nb.i
            """,
            {"ref": ref, "half": half_life},
        )
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _ls_works AS
            SELECT work_id AS id, (row_number() OVER (ORDER BY work_id) - 1)::INTEGER AS i
            FROM (SELECT DISTINCT work_id FROM _ls_pw)
            """
        )
        try:
            return self._coauthor_arrays_from_temp(ships)
        finally:
            for table in ("_ls_pw", "_ls_nodes", "_ls_edges", "_ls_works"):
                con.execute(f"DROP TABLE IF EXISTS {table}")

    def _coauthor_arrays_from_temp(self, ships: str) -> dict[str, Any]:
        con = self.con
        cols = con.execute(
            "SELECT src, dst, n_works, strength, last_year FROM _ls_edges ORDER BY e"
        ).fetchnumpy()
        flat = con.execute(
            """
            SELECT wk.i FROM _ls_pw p
            JOIN _ls_nodes na ON na.id = p.a JOIN _ls_nodes nb ON nb.id = p.b
            JOIN _ls_edges e ON e.src = na.i AND e.dst = nb.i
            JOIN _ls_works wk ON wk.id = p.work_id
            ORDER BY e.e, p.y DESC NULLS LAST, p.work_id
            """
        ).fetchnumpy()["i"]
        current = current_institutions_sql("_ls_nodes", has_links(con))
        people = con.execute(
            f"""
            WITH raw AS (
                SELECT s.author_id, any_value(s.raw_author_name) AS raw
                FROM {ships} s JOIN _ls_nodes n ON n.id = s.author_id
                GROUP BY s.author_id
            ),
            cur AS ({current})
            SELECT coalesce(a.display_name, r.raw, n.id) AS name,
                   coalesce(i.display_name, c.insts[1], '') AS inst
            FROM _ls_nodes n
            LEFT JOIN authors a ON a.id = n.id
            LEFT JOIN raw r ON r.author_id = n.id
            LEFT JOIN cur c ON c.id = n.id
            LEFT JOIN institutions i ON i.id = c.insts[1]
            ORDER BY n.i
            """
        ).fetchnumpy()
        ids = con.execute("SELECT id FROM _ls_nodes ORDER BY i").fetchnumpy()["id"]
        work_ids = con.execute("SELECT id FROM _ls_works ORDER BY i").fetchnumpy()["id"]
        n_works = np.asarray(cols["n_works"], dtype=np.int32)
        ptr = np.zeros(len(n_works) + 1, dtype=np.int64)
        np.cumsum(n_works, out=ptr[1:])
        return {
            "ids": [str(x) for x in ids],
            "src": np.asarray(cols["src"], dtype=np.int32),
            "dst": np.asarray(cols["dst"], dtype=np.int32),
            "n_works": n_works,
            "strength": np.asarray(cols["strength"], dtype=np.float64),
            "last_year": np.asarray(cols["last_year"], dtype=np.int32),
            "names": [str(x) for x in people["name"]],
            "institutions": [str(x) for x in people["inst"]],
            "work_ids": [str(x) for x in work_ids],
            "edge_work_ptr": ptr,
            "edge_works": np.asarray(flat, dtype=np.int32),
        }

    def conflict_rows(
        self,
        reviewers: Sequence[str],
        submissions: Sequence[tuple[str, str]],
        since: int,
        max_authors: int,
        early_years: int,
        min_works: int,
    ) -> ConflictRows:
        """Co-authorships (works from ``since`` on with at most ``max_authors``
        authors), shared current institutions and advisor-student patterns (first
        and last author ``min_works`` times in the student's first ``early_years``
        years) between ``reviewers`` and the ``(paper, author)`` pairs of submissions."""
        con = self.con
        ships = f" {authorships_sql(con)} "  # one node per person across sources

        def sql(template: str) -> str:
            return template.replace(" authorships ", ships)

        con.execute(
            "CREATE OR REPLACE TEMP TABLE _c_rev AS SELECT unnest($r::VARCHAR[]) AS rid",
            {"r": list(reviewers)},
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _c_sub AS "
            "SELECT unnest($p::VARCHAR[]) AS paper_id, unnest($a::VARCHAR[]) AS aid",
            {"p": [p for p, _ in submissions], "a": [a for _, a in submissions]},
        )
        people = "(SELECT rid AS id FROM _c_rev UNION SELECT aid FROM _c_sub)"
        current = current_institutions_sql(people, has_links(con))
        try:
            return ConflictRows(
                coauthor=con.execute(
                    sql(_COAUTHOR), {"since": since, "cap": max_authors}
                ).fetchall(),
                institution=con.execute(_INSTITUTION.format(current=current)).fetchall(),
                advisor=con.execute(
                    sql(_ADVISOR), {"early": early_years, "min_works": min_works}
                ).fetchall(),
            )
        finally:
            con.execute("DROP TABLE IF EXISTS _c_rev")
            con.execute("DROP TABLE IF EXISTS _c_sub")
