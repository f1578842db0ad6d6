"""Lexical index: BM25 (bm25s) over each work's title and abstract.

Documents are tokenised here (lower case, words of two or more letters or
digits, English stop words dropped, Snowball-stemmed when PyStemmer is
installed) and handed to bm25s as token lists, so that indexing and querying
always use the same tokeniser, whose settings go into the index manifest.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from labscout.errors import IndexStateError, MissingExtraError

_WORD = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class LexicalParams:
    """BM25 settings; every one is recorded in the manifest."""

    k1: float = 1.2
    """Term-frequency saturation: higher lets repeated words count longer."""
    b: float = 0.75
    """Length normalisation: 0 ignores document length, 1 normalises fully."""
    method: str = "lucene"
    """bm25s scoring variant (lucene, robertson, atire, bm25l, bm25+)."""
    stopwords: str = "en"
    """Stop-word list dropped before indexing ('en' or 'none')."""
    stemmer: str = "english"
    """Snowball stemmer language ('none' to switch stemming off)."""


def _bm25s():
    try:
        import bm25s
    except ImportError:
        raise MissingExtraError("search", "bm25s") from None
    return bm25s


class Tokenizer:
    """Text -> list of terms, the same for documents and queries."""

    def __init__(self, params: LexicalParams) -> None:
        self.params = params
        self._stop: frozenset[str] = frozenset()
        if params.stopwords == "en":
            from bm25s.stopwords import STOPWORDS_EN

            self._stop = frozenset(STOPWORDS_EN)
        self._stem = None
        if params.stemmer != "none":
            try:
                import Stemmer
            except ImportError:
                raise MissingExtraError("search", "PyStemmer") from None
            self._stem = Stemmer.Stemmer(params.stemmer)
        self._cache: dict[str, str] = {}

    def __call__(self, text: str) -> list[str]:
        words = [w for w in _WORD.findall(text.lower()) if w not in self._stop]
        if self._stem is None:
            return words
        cache = self._cache
        missing = list({w for w in words if w not in cache})
        if missing:
            cache.update(zip(missing, self._stem.stemWords(missing), strict=True))
        return [cache[w] for w in words]


class LexicalIndex:
    """BM25 scores of every indexed document for a query."""

    def __init__(self, retriever: Any, params: LexicalParams) -> None:
        self.retriever = retriever
        self.params = params
        self.tokenize = Tokenizer(params)

    @classmethod
    def build(cls, texts: list[str], params: LexicalParams | None = None) -> LexicalIndex:
        """Index ``texts`` (row i of the index is ``texts[i]``; empty texts are allowed)."""
        params = params or LexicalParams()
        bm25s = _bm25s()
        tok = Tokenizer(params)
        corpus = [tok(t) for t in texts]
        retriever = bm25s.BM25(k1=params.k1, b=params.b, method=params.method)
        retriever.index(corpus, show_progress=False)
        out = cls(retriever, params)
        out.tokenize = tok
        return out

    @property
    def n_docs(self) -> int:
        return int(self.retriever.scores["num_docs"])

    def scores(self, text: str) -> np.ndarray:
        """BM25 score of every row for ``text`` (zeros when no query word is indexed)."""
        vocab = self.retriever.vocab_dict
        terms = [t for t in self.tokenize(text) if t in vocab]
        if not terms:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(terms), dtype=np.float32)

    def doc_term_matrix(self) -> Any:
        """The BM25 weight of every (row, term) as a scipy CSR matrix (rows x terms), read
        from bm25s' precomputed scores; with :meth:`term_ids` it scores word profiles."""
        import scipy.sparse as sp

        sc = self.retriever.scores
        n_terms = len(sc["indptr"]) - 1
        by_term = sp.csc_matrix(
            (sc["data"], sc["indices"], sc["indptr"]), shape=(int(sc["num_docs"]), n_terms)
        )
        return by_term.tocsr()

    def term_ids(self, text: str) -> list[int]:
        """The distinct indexed terms of ``text``, as columns of :meth:`doc_term_matrix`."""
        vocab = self.retriever.vocab_dict
        n_terms = len(self.retriever.scores["indptr"]) - 1
        return sorted({vocab[t] for t in self.tokenize(text) if vocab.get(t, n_terms) < n_terms})

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder))

    @classmethod
    def load(cls, folder: Path, params: LexicalParams) -> LexicalIndex:
        bm25s = _bm25s()
        try:
            retriever = bm25s.BM25.load(str(folder), mmap=False)
        except (OSError, ValueError) as exc:
            raise IndexStateError(f"cannot read the lexical index in {folder}: {exc}") from None
        return cls(retriever, params)

    def describe(self) -> dict[str, Any]:
        return {"kind": "bm25s", **asdict(self.params)}
