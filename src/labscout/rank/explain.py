"""Evidence: turn ranked authors into ResearcherMatch results with the works behind them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from labscout.rank.aggregate import AuthorScore
from labscout.rank.params import RankParams
from labscout.records import Work
from labscout.results import Evidence, ResearcherMatch, WorkHit
from labscout.store import Store


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
    authors = store.author_names(ids)
    last_inst = {a: insts[0] for a, insts in store.current_institutions(ids).items()}
    inst_ids = set(last_inst.values())
    for s in chosen:
        for c in s.contributions[: params.n_evidence]:
            inst_ids.update(c.authorship.institution_ids)
    inst_names = store.display_names("institutions", sorted(inst_ids))
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
        name = row[0] if row and row[0] else _name_on_work(s, works)
        iid = last_inst.get(s.author_id)
        out.append(
            ResearcherMatch(
                rank=rank,
                author_id=s.author_id,
                name=name,
                score=round(s.score, 6),
                n_works=len(s.contributions),
                orcid=row[1] if row else None,
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
