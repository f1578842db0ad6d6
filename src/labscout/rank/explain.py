"""Evidence: turn ranked authors into ResearcherMatch results with the works behind them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from labscout.rank.aggregate import AuthorScore
from labscout.rank.params import RankParams
from labscout.records import Work
from labscout.results import Evidence, ResearcherMatch, WorkHit
from labscout.store import Store


def _names(store: Store, table: str, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = store.con.execute(
        f"SELECT id, display_name FROM {table} WHERE id IN (SELECT unnest(?))", [ids]
    ).fetchall()
    return {i: n for i, n in rows if n}


def last_known_institutions(store: Store, author_ids: list[str]) -> dict[str, str]:
    """Author id -> institution id: the author record's last known institution, else
    the first institution on their latest paper in the store that names one."""
    if not author_ids:
        return {}
    out: dict[str, str] = {}
    for aid, insts in store.con.execute(
        "SELECT id, last_known_institution_ids FROM authors WHERE id IN (SELECT unnest(?))",
        [author_ids],
    ).fetchall():
        if insts:
            out[aid] = insts[0]
    rest = [a for a in author_ids if a not in out]
    if rest:
        for aid, insts in store.con.execute(
            """
            SELECT s.author_id,
                   arg_max(s.institution_ids,
                           coalesce(w.publication_date, CAST(w.publication_year AS VARCHAR), ''))
            FROM authorships s JOIN works w ON w.id = s.work_id
            WHERE s.author_id IN (SELECT unnest(?)) AND len(s.institution_ids) > 0
            GROUP BY s.author_id
            """,
            [rest],
        ).fetchall():
            if insts:
                out[aid] = insts[0]
    return out


def explain(
    store: Store,
    ranked: Sequence[AuthorScore],
    hits: Mapping[str, WorkHit],
    works: Mapping[str, Work],
    params: RankParams,
    top: int,
) -> tuple[ResearcherMatch, ...]:
    """The ``top`` researchers as :class:`ResearcherMatch`, each with ``n_evidence`` works."""
    chosen = list(ranked[:top])
    ids = [s.author_id for s in chosen]
    authors = {
        r[0]: r
        for r in store.con.execute(
            "SELECT id, display_name, orcid FROM authors WHERE id IN (SELECT unnest(?))", [ids]
        ).fetchall()
    }
    last_inst = last_known_institutions(store, ids)
    inst_ids = set(last_inst.values())
    for s in chosen:
        for c in s.contributions[: params.n_evidence]:
            inst_ids.update(c.authorship.institution_ids)
    inst_names = _names(store, "institutions", sorted(inst_ids))
    out = []
    for rank, s in enumerate(chosen, start=1):
        evidence = []
        for c in s.contributions[: params.n_evidence]:
            a = c.authorship
            evidence.append(
                Evidence(
                    work=hits[c.work_id],
                    contribution=round(c.value, 6),
                    position=a.author_position,
                    position_index=a.position_index,
                    n_authors=c.n_authors,
                    is_corresponding=a.is_corresponding,
                    institutions=tuple(inst_names.get(i, i) for i in a.institution_ids)
                    or a.raw_affiliation_strings,
                )
            )
        row = authors.get(s.author_id)
        name = row[1] if row and row[1] else _name_on_work(s, works)
        iid = last_inst.get(s.author_id)
        out.append(
            ResearcherMatch(
                rank=rank,
                author_id=s.author_id,
                name=name,
                score=round(s.score, 6),
                n_works=len(s.contributions),
                orcid=row[2] if row else None,
                institution=inst_names.get(iid, iid) if iid else None,
                institution_id=iid,
                evidence=tuple(evidence),
            )
        )
    return tuple(out)


def _name_on_work(s: AuthorScore, works: Mapping[str, Work]) -> str:
    for c in s.contributions:
        if c.authorship.raw_author_name:
            return c.authorship.raw_author_name
    return s.author_id
