"""Every weight that ranking uses, named once with its default and what it means.

docs/scoring.md explains the scores in plain words; docs/benchmarks.md ("Find")
says how the defaults were chosen.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

FUSIONS = ("rrf", "weighted", "lexical", "dense")


@dataclass(frozen=True)
class RankParams:
    """Retrieval, fusion and works -> researchers settings for ``find``."""

    # -- retrieval -----------------------------------------------------------
    depth: int = 200
    """Works taken from each index (BM25 and embeddings) for each query text."""
    fusion: str = "weighted"
    """How the two lists become one score: ``rrf`` (reciprocal-rank fusion),
    ``weighted`` (weighted sum of min-max scaled scores), or one index alone
    (``lexical``, ``dense``), the last two for comparison."""
    rrf_k: int = 60
    """RRF constant: a work at rank r adds 1 / (rrf_k + r); larger flattens the ranks."""
    lexical_weight: float = 0.3
    """Weight of the scaled BM25 score in ``weighted`` fusion."""
    dense_weight: float = 0.7
    """Weight of the scaled embedding similarity in ``weighted`` fusion."""

    # -- works -> researchers ------------------------------------------------
    recency_half_life: float = 8.0
    """Years after which a work counts half as much (then a quarter after twice that)."""
    unknown_year_weight: float = 0.5
    """Recency weight of a work without a publication year."""
    reference_year: int | None = None
    """The year recency is measured from; None means the current year."""
    weight_last: float = 1.0
    """Credit of the last author (in most fields the group leader)."""
    weight_corresponding: float = 1.0
    """Credit of a corresponding author (also a group leader's role)."""
    weight_first: float = 0.8
    """Credit of the first author (who usually did the work)."""
    weight_middle: float = 0.4
    """Credit of any other author."""
    weight_single: float = 1.0
    """Credit of the sole author of a work."""
    team_size: int = 10
    """Above this many authors, middle authors share credit: each gets
    team_size / n_authors of the middle credit, so a 40-author paper does not
    make 40 experts (first, last and corresponding authors keep theirs)."""
    max_works: int = 5
    """At most this many works count towards a researcher's score."""
    work_decay: float = 0.5
    """The i-th best work of a researcher counts work_decay**i (i from 0): the best
    match dominates, more matching works add less and less."""
    n_evidence: int = 3
    """Evidence works shown per researcher (3 to 5 reads well)."""

    def __post_init__(self) -> None:
        if self.fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}, not {self.fusion!r}")
        if self.depth < 1 or self.max_works < 1 or self.team_size < 1:
            raise ValueError("depth, max_works and team_size must be at least 1")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_(self, **changes: Any) -> RankParams:
        return replace(self, **changes)

    @classmethod
    def help(cls) -> dict[str, str]:
        """Name -> the docstring under each field (for docs and --help)."""
        import ast
        import inspect

        tree = ast.parse(inspect.getsource(cls))
        body = tree.body[0].body  # type: ignore[attr-defined]
        out: dict[str, str] = {}
        for node, nxt in zip(body, body[1:], strict=False):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(nxt, ast.Expr)
                and isinstance(nxt.value, ast.Constant)
            ):
                out[node.target.id] = " ".join(str(nxt.value.value).split())
        return {f.name: out.get(f.name, "") for f in fields(cls)}
