"""Reviewer-paper affinity: how well each reviewer's own papers match each submission.

For every (submission, reviewer) pair: the cosine similarity of the
submission to each paper of the reviewer's profile, aggregated by the mean of
the ``top_k`` largest (:func:`labscout.rank.scoring.top_k_mean`; ``top_k=1``
is the max), for the dense embedder and for a lexical TF-IDF model fitted on
the same texts, then fused with :func:`labscout.rank.scoring.weighted_fuse_arrays`.
The TF-IDF model sees Snowball-stemmed words, and each submission's lexical
score is centred on its mean over the reviewer pool (:data:`CENTRE_LEXICAL`), so
that a paper whose words everybody uses does not lead every reviewer's list.
In a large enough pool (:data:`PRUNE_MIN_TEXTS`) the TF-IDF vocabulary also
leaves out words in one text only and words in more than a tenth of the texts
(:data:`PRUNE_LEXICAL`): the dense half carries the broad topic, the lexical half
the specific terms. The defaults were chosen on the mean loss over the 10 versions of the gold
standard (docs/benchmarks.md, "Expertise search: gold standard" and "Gold
standard: new defaults (issue 18)").

Inputs are the OpenReview expertise formats read by
:mod:`labscout.sources.openreview_expertise`; every oddity there is a warning
line in :attr:`AffinityResult.warnings`, never a crash.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from labscout.csvsafe import safe_row
from labscout.errors import InputError, LabscoutError, MissingExtraError, NetworkError
from labscout.index.cache import EmbeddingCache
from labscout.index.embedders import Embedder, get_embedder
from labscout.progress import Progress, SilentProgress
from labscout.rank.scoring import top_k_mean, weighted_fuse_arrays
from labscout.sources.openreview_expertise import ExpertisePaper, read_archives, read_submissions

TOP_K = 3
"""A submission's similarity to a profile: the mean of its ``TOP_K`` best matches there."""

LEXICAL_WEIGHT = 0.4
"""Weight of the TF-IDF score in the fused score (the dense score gets the rest); 0 turns
lexical scoring off, 1 leaves only it."""

STEM_LEXICAL = True
"""TF-IDF over Snowball-stemmed words (PyStemmer) rather than raw words: "graphs" and
"graph" then count as one term. Measured with :data:`CENTRE_LEXICAL`: loss 0.2078
against 0.2153 for raw words uncentred (docs/benchmarks.md, issue 18)."""

CENTRE_LEXICAL = True
"""Subtract from each submission's TF-IDF scores their mean over the reviewers (those
with a profile), before fusing. A submission full of common words scores high with
everyone; centring keeps what sets one reviewer apart. Only lexical scores are
centred: the same step on the dense scores made the loss worse (0.268 against 0.222)."""

CENTRE_MIN_REVIEWERS = 5
"""Centring needs a pool: with fewer reviewers with a profile it is skipped (with one
reviewer it would zero every score)."""

PRUNE_LEXICAL = True
"""Prune the TF-IDF vocabulary (:data:`LEXICAL_MIN_DF`, :data:`LEXICAL_MAX_DF`) when the
texts (submissions and profile papers together) number at least :data:`PRUNE_MIN_TEXTS`.
Measured on the gold standard (40 reviewers, 919 texts): loss 0.2078 -> 0.2027, better on
versions 1-5 and 6-10 and on both halves of the participants (docs/benchmarks.md, "Gold
standard, session 3")."""

LEXICAL_MIN_DF = 2
"""A word must be in at least this many texts: a word in one text only can match nothing,
it only lengthens that text's vector and so lowers its every similarity."""

LEXICAL_MAX_DF = 0.1
"""Words in more than this share of the texts are left out ("model", "learn", "languag",
"network" on the gold standard): the dense embedding already says which broad area a
paper is in; the lexical score is kept for the rarer terms that set experts apart."""

PRUNE_MIN_TEXTS = 400
"""Below this many texts the vocabulary is not pruned: in pools of 5-10 reviewers (120-230
texts) pruning was neutral or worse on the gold standard, from 20 reviewers (470 texts) on
it helped."""


@dataclass(frozen=True)
class AffinityResult:
    """Scores of every (submission, reviewer) pair, larger meaning a better match."""

    paper_ids: list[str]
    reviewer_ids: list[str]
    scores: np.ndarray
    """``(len(paper_ids), len(reviewer_ids))`` float32."""
    embedder: str
    warnings: list[str] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[str, str, float]]:
        """``(paper_id, reviewer_id, score)`` for every pair, paper by paper."""
        for i, paper in enumerate(self.paper_ids):
            for j, reviewer in enumerate(self.reviewer_ids):
                yield paper, reviewer, float(self.scores[i, j])

    def as_dict(self) -> dict[tuple[str, str], float]:
        return {(p, r): s for p, r, s in self.rows()}


class _StemmedWords:
    """scikit-learn's word analyser (lower case, English stop words) + Snowball stems."""

    def __init__(self, base: Any) -> None:
        try:
            import Stemmer
        except ImportError:
            raise MissingExtraError("search", "PyStemmer") from None
        self._base = base
        self._stem = Stemmer.Stemmer("english")

    def __call__(self, text: str) -> list[str]:
        return self._stem.stemWords(self._base(text))


def tfidf_rows(texts: Sequence[str], stem: bool = STEM_LEXICAL, prune: bool = PRUNE_LEXICAL) -> Any:
    """Unit TF-IDF rows (sparse) of ``texts``: English stop words, sublinear tf, l2 norm;
    words Snowball-stemmed when ``stem``; with ``prune`` and at least
    :data:`PRUNE_MIN_TEXTS` texts, only words in :data:`LEXICAL_MIN_DF` texts or more and
    in at most the share :data:`LEXICAL_MAX_DF` of them (all words when that leaves none)."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError:
        raise MissingExtraError("search", "scikit-learn") from None
    opts: dict[str, Any] = {"stop_words": "english", "sublinear_tf": True, "dtype": np.float32}
    if stem:
        base = TfidfVectorizer(stop_words="english").build_analyzer()
        opts = {"analyzer": _StemmedWords(base), "sublinear_tf": True, "dtype": np.float32}
    tries = [opts]
    if prune and len(texts) >= PRUNE_MIN_TEXTS:
        tries.insert(0, {**opts, "min_df": LEXICAL_MIN_DF, "max_df": LEXICAL_MAX_DF})
    for kw in tries:
        try:
            return TfidfVectorizer(**kw).fit_transform(texts)
        except ValueError:  # nothing left (no texts, only stop words, all pruned)
            continue
    from scipy.sparse import csr_matrix  # no lexical evidence at all

    return csr_matrix((len(texts), 1), dtype=np.float32)


def _profile_scores(
    sub_rows: Any, prof_rows: Any, spans: Sequence[tuple[int, int]], top_k: int
) -> np.ndarray:
    """``top_k_mean`` of the submission-profile similarities, one column per reviewer."""
    out = np.zeros((sub_rows.shape[0], len(spans)), dtype=np.float32)
    for j, (lo, hi) in enumerate(spans):
        if hi == lo:
            continue
        sims = sub_rows @ prof_rows[lo:hi].T
        if hasattr(sims, "toarray"):
            sims = sims.toarray()
        out[:, j] = top_k_mean(np.asarray(sims), top_k, axis=1)
    return out


def centre_on_pool(scores: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Each row (a submission) minus its mean over its ``valid`` entries (the reviewers
    with a profile); rows stay as they are when fewer than :data:`CENTRE_MIN_REVIEWERS`
    entries are valid. Invalid entries come out 0."""
    out = np.zeros_like(scores, dtype=np.float32)
    n = valid.sum(axis=1)
    pooled = n >= CENTRE_MIN_REVIEWERS
    mean = np.where(valid, scores, 0.0).sum(axis=1) / np.maximum(n, 1)
    shift = np.where(pooled, mean, 0.0)[:, None]
    np.copyto(out, scores - shift, where=valid)
    return out


def compute_affinity(
    submissions: Sequence[ExpertisePaper],
    archives: Mapping[str, Sequence[ExpertisePaper]],
    embedder: Embedder | str | None = "minilm",
    *,
    top_k: int = TOP_K,
    lexical_weight: float = LEXICAL_WEIGHT,
    stem_lexical: bool = STEM_LEXICAL,
    centre_lexical: bool = CENTRE_LEXICAL,
    prune_lexical: bool = PRUNE_LEXICAL,
    cache: EmbeddingCache | None = None,
    batch_size: int = 64,
    progress: Progress | None = None,
    warnings: Sequence[str] = (),
) -> AffinityResult:
    """Score every submission against every reviewer profile.

    ``embedder`` is an :class:`Embedder`, a registered name, or ``None`` for
    lexical scores only. A reviewer whose archive is empty scores 0 for every
    paper (and the reader warned); so does a submission with no text.
    ``stem_lexical``, ``centre_lexical`` and ``prune_lexical``: see :data:`STEM_LEXICAL`,
    :data:`CENTRE_LEXICAL` and :data:`PRUNE_LEXICAL`.
    """
    if top_k < 1:
        raise InputError(f"top_k must be at least 1, not {top_k}")
    if not 0.0 <= lexical_weight <= 1.0:
        raise InputError(f"lexical_weight must lie in [0, 1], not {lexical_weight}")
    progress = progress or SilentProgress()
    reviewer_ids = list(archives)
    profile = [p for r in reviewer_ids for p in archives[r]]
    spans: list[tuple[int, int]] = []
    start = 0
    for r in reviewer_ids:
        spans.append((start, start + len(archives[r])))
        start += len(archives[r])
    sub_texts = [p.text for p in submissions]
    prof_texts = [p.text for p in profile]
    valid = np.ones((len(sub_texts), len(reviewer_ids)), dtype=bool)
    for j, (lo, hi) in enumerate(spans):
        valid[:, j] = hi > lo
    for i, text in enumerate(sub_texts):
        if not text:
            valid[i, :] = False

    if embedder is None:
        lexical_weight = 1.0
    elif lexical_weight == 1.0:
        embedder = None  # TF-IDF alone: no model to load
    elif isinstance(embedder, str):
        embedder = _load_embedder(embedder, None)
    score_arrays: list[np.ndarray] = []
    weights: list[float] = []
    if lexical_weight < 1.0 and embedder is not None:
        vecs = embedder.embed(
            sub_texts + prof_texts, batch_size=batch_size, progress=progress, cache=cache
        )
        dense = _profile_scores(vecs[: len(sub_texts)], vecs[len(sub_texts) :], spans, top_k)
        score_arrays.append(dense)
        weights.append(1.0 - lexical_weight)
    if lexical_weight > 0.0:
        tfidf = tfidf_rows(sub_texts + prof_texts, stem=stem_lexical, prune=prune_lexical)
        lex = _profile_scores(tfidf[: len(sub_texts)], tfidf[len(sub_texts) :], spans, top_k)
        score_arrays.append(centre_on_pool(lex, valid) if centre_lexical else lex)
        weights.append(lexical_weight)

    scores = weighted_fuse_arrays(score_arrays, weights, mask=valid)
    return AffinityResult(
        paper_ids=[p.id for p in submissions],
        reviewer_ids=reviewer_ids,
        scores=scores.astype(np.float32),
        embedder=embedder.name if embedder is not None else "tfidf",
        warnings=list(warnings),
    )


def affinity_from_files(
    submissions_path: str | os.PathLike[str],
    archives_dir: str | os.PathLike[str],
    embedder: str | None = "minilm",
    *,
    top_k: int = TOP_K,
    lexical_weight: float = LEXICAL_WEIGHT,
    stem_lexical: bool = STEM_LEXICAL,
    centre_lexical: bool = CENTRE_LEXICAL,
    prune_lexical: bool = PRUNE_LEXICAL,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> AffinityResult:
    """Read the OpenReview expertise files and :func:`compute_affinity` them.

    With ``use_cache`` embeddings are kept in (and read from) the embedding
    cache under ``cache_dir`` (default :func:`labscout.index.cache.default_cache_dir`).
    """
    submissions, warnings = read_submissions(submissions_path)
    archives, archive_warnings = read_archives(archives_dir)
    warnings = warnings + archive_warnings
    emb = _load_embedder(embedder, cache_dir) if embedder and lexical_weight < 1 else None
    cache = EmbeddingCache(cache_dir) if use_cache and emb is not None else None
    try:
        return compute_affinity(
            submissions,
            archives,
            emb,
            top_k=top_k,
            lexical_weight=lexical_weight,
            stem_lexical=stem_lexical,
            centre_lexical=centre_lexical,
            prune_lexical=prune_lexical,
            cache=cache,
            progress=progress,
            warnings=warnings,
        )
    finally:
        if cache is not None:
            cache.close()


def _load_embedder(name: str, cache_dir: str | os.PathLike[str] | None) -> Embedder:
    """:func:`get_embedder`, a model that cannot be loaded (an ``hf:`` model without
    network, a broken download) reported as one error instead of the loader's."""
    try:
        return get_embedder(name, cache_dir=cache_dir)
    except LabscoutError:
        raise
    except (OSError, ValueError, RuntimeError) as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise NetworkError(
            f"cannot load the embedder {name!r}: {first}",
            hint="hf:<model id> downloads from the Hugging Face hub: check the network, or "
            "pick a packaged one (`labscout embedders`), or --embedder none for TF-IDF only.",
        ) from None


def write_scores_csv(result: AffinityResult, path: str | os.PathLike[str]) -> int:
    """Write ``paper_id,reviewer_id,score`` for every pair; returns the number of rows."""
    path = Path(path)
    try:
        handle = path.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    n = 0
    with handle:
        w = csv.writer(handle)
        w.writerow(["paper_id", "reviewer_id", "score"])
        for paper, reviewer, score in result.rows():
            w.writerow(safe_row([paper, reviewer, f"{score:.6f}"]))
            n += 1
    return n
