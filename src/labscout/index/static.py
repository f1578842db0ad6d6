"""The model2vec static model distilled from the packaged MiniLM (``minilm-static``).

Registered in :mod:`labscout.index.embedders`; kept here so that module stays small.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np

from labscout.errors import MissingExtraError
from labscout.index.embedder_base import Embedder, _minilm_folder, _offline

STATIC_PCA_DIMS = 256
"""Dimensions of the distilled static model (model2vec's default PCA)."""


class StaticEmbedder(Embedder):
    """A model2vec static model: a token-vector lookup and a mean, no transformer."""

    def __init__(self, name: str, folder: Path, source: str, max_tokens: int = 512) -> None:
        try:
            from model2vec import StaticModel
        except ImportError:
            raise MissingExtraError("embed", "model2vec") from None
        self.name = name
        self.max_tokens = max_tokens
        self.source = source
        self.model = StaticModel.from_pretrained(str(folder))
        self.dim = int(self.model.dim)

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(
            texts, max_length=self.max_tokens, batch_size=len(texts), show_progress_bar=False
        ).astype(np.float32)


def distil_static_minilm(target: Path, pca_dims: int = STATIC_PCA_DIMS) -> Path:
    """Distil a model2vec static model from the packaged MiniLM into ``target`` (offline).

    Takes about a minute on 2 cores (it embeds the 30k-token vocabulary once);
    written to a temporary folder and renamed, so a crash leaves no half model.
    """
    try:
        from model2vec.distill import distill
    except ImportError:
        raise MissingExtraError("embed", "model2vec[distill]") from None
    _offline()
    model = distill(model_name=str(_minilm_folder()), pca_dims=pca_dims)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        model.save_pretrained(str(tmp))
        try:
            tmp.rename(target)
        except OSError:  # another process finished first: keep theirs
            if not (target / "model.safetensors").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
