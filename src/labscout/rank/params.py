"""Every weight that ranking uses, named once with its default and what it means.

docs/scoring.md explains the scores in plain words; docs/benchmarks.md ("Find")
says how the defaults were chosen.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

FUSIONS = ("power", "rrf", "weighted", "lexical", "dense")


@dataclass(frozen=True)
class RankParams:
    """Retrieval, fusion and works -> researchers settings for ``find``."""

    # -- retrieval -----------------------------------------------------------
    depth: int = 200
    """Works taken from each index (BM25 and embeddings) for each query text. With
    ``power`` fusion works far below the best add almost nothing: 500 or 1000 scored
    the same on the expert-finding benchmark, and 200 keeps ``find`` fast."""
    fusion: str = "power"
    """How the two lists become one score: ``power`` (each score divided by the query's
    best, raised to ``lexical_power`` / ``dense_power``, then a weighted mean: only works
    close to the best match count much), ``rrf`` (reciprocal-rank fusion), ``weighted``
    (weighted sum of min-max scaled scores; the default before issue 18), or one index
    alone (``lexical``, ``dense``), the last two for comparison."""
    rrf_k: int = 60
    """RRF constant: a work at rank r adds 1 / (rrf_k + r); larger flattens the ranks."""
    lexical_weight: float = 0.75
    """Weight of the scaled BM25 score in ``power`` and ``weighted`` fusion (0.3 before
    issue 18: on the expert-finding benchmark BM25 carries most of the signal)."""
    dense_weight: float = 0.25
    """Weight of the scaled embedding similarity in ``power`` and ``weighted`` fusion
    (0.7 before issue 18)."""
    lexical_power: float = 4.0
    """``power`` fusion: a work's BM25 score over the query's best BM25 score, raised to
    this power (4: a work scoring half the best counts 1/16)."""
    dense_power: float = 8.0
    """``power`` fusion: a work's cosine over the query's best cosine, raised to this
    power (cosines sit closer together than BM25 scores, hence the higher power)."""

    # -- works -> researchers ------------------------------------------------
    recency_half_life: float = 4.0
    """Years after which a work counts half as much (then a quarter after twice that;
    8 before issue 18)."""
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
    max_works: int = 50
    """At most this many works count towards a researcher's score (5 before issue 18)."""
    work_decay: float = 1.0
    """The i-th best work of a researcher counts work_decay**i (i from 0). 1.0 (since
    issue 18): a plain sum, so a body of matching work outweighs one paper that shares
    words with the query; 0.5 before (the best match dominated)."""
    profile_weight: float = 1.0
    """Weight of the word profile (:mod:`labscout.rank.profiles`: each researcher's works,
    all of them, summed into one BM25 vector) beside the works-based score, both scaled
    to the query's best researcher; 0 switches profiles off (as before issue 18). On the
    expert-finding benchmark 0.5 and 1.0 tie on split A, 1.0 is a little better on B."""
    profile_min_terms: int = 12
    """Profiles count only for queries of at least this many distinct indexed words (an
    abstract, liked papers, ``--mine``). A short topic query ("causal inference") matches
    the profile of someone with one short paper on it as well as an expert's, so short
    queries rank by works alone."""
    profile_power: float = 4.0
    """The profile score over the query's best, raised to this power before weighting
    (only profiles close to the best count much)."""
    body_weight: float = 1.5
    """Weight of each top candidate's body of work (:mod:`labscout.rank.body`): the mean
    of the ``body_top`` best cosines between the query and all their works in the store
    (missing works count 0), over the best candidate's, to the ``body_power``, added to
    the score so far in units of the best researcher's score. 0 switches it off (as
    before session 3). Chosen on split B of the expert-finding benchmark (1.0-2.0 all
    gained 8-12% there), confirmed on split A (+4% with 1,000 queries)."""
    body_top: int = 3
    """How many of a candidate's closest works make their body-of-work score (3: the
    aggregation that works best on the reviewer-matching gold standard; 1, a plain
    maximum, gained nothing, 5 and 10 less than 3)."""
    body_power: float = 2.0
    """The body-of-work score over the best candidate's, raised to this power (1-4 tie)."""
    body_candidates: int = 100
    """How many of the best researchers so far get a body-of-work score (the rest keep
    their order below them); 50 and 200 scored about the same as 100."""
    n_evidence: int = 3
    """Evidence works shown per researcher (3 to 5 reads well)."""

    def __post_init__(self) -> None:
        if self.fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}, not {self.fusion!r}")
        if self.depth < 1 or self.max_works < 1 or self.team_size < 1:
            raise ValueError("depth, max_works and team_size must be at least 1")
        if self.body_top < 1 or self.body_candidates < 1:
            raise ValueError("body_top and body_candidates must be at least 1")

    @classmethod
    def legacy(cls) -> RankParams:
        """The defaults before issue 18 (weighted fusion 0.3 / 0.7 of 200 works, a
        half-life of 8 years, the best 5 works with weights 1, 1/2, 1/4...), kept for
        benchmarks/expert_finding.py --legacy and for comparison."""
        return cls(depth=200, fusion="weighted", lexical_weight=0.3, dense_weight=0.7,
                   recency_half_life=8.0, max_works=5, work_decay=0.5,
                   profile_weight=0.0, body_weight=0.0)  # fmt: skip

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
