"""Speed levers for the default MiniLM embedder, interleaved against the default in one process.

Every variant embeds the same texts (a sample of the gold standard's distinct
title + abstract texts, as long as the paper lists'), in rounds: round r runs
every variant once, in an order rotated by r, so that a burst of load from other
processes falls on all of them alike. The ratio of each variant is against the
library's default embedder (``minilm`` through ``Embedder.embed``) in the same
rounds; the load average is printed with every round. The cosine of each
variant's vectors against fp32 vectors of the same texts is printed too.

    .venv/bin/python benchmarks/embed_levers.py                       # all levers
    .venv/bin/python benchmarks/embed_levers.py --only bf16 int8 --limit 400 --rounds 4
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from embed_speed import GS, goldstandard_texts  # noqa: E402
from labscout.index.embedders import (  # noqa: E402
    Embedder,
    SentenceTransformerEmbedder,
    get_embedder,
)
from labscout.rank.affinity import LEXICAL_WEIGHT  # noqa: E402


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


class Raw:
    """all-MiniLM-L6-v2 run by hand (tokenizer, BertModel, mean pooling), so that each
    lever can be switched alone: precision, attention, batching, token cap, threads."""

    def __init__(
        self,
        model,
        tokenizer,
        max_tokens: int = 256,
        batch: int = 64,
        token_budget: int = 0,
        autocast: bool = False,
        threads: int = 0,
    ) -> None:
        self.model, self.tok = model, tokenizer
        self.max_tokens, self.batch, self.budget = max_tokens, batch, token_budget
        self.autocast, self.threads = autocast, threads

    def batches(self, texts: list[str]) -> list[list[int]]:
        enc = self.tok(texts, truncation=True, max_length=self.max_tokens)["input_ids"]
        lens = np.array([len(e) for e in enc])
        order = np.argsort(lens, kind="stable")
        out: list[list[int]] = []
        cur: list[int] = []
        for i in order:
            size = len(cur) + 1
            full = size * lens[i] > self.budget if self.budget else size > self.batch
            if cur and full:
                out.append(cur)
                cur = []
            cur.append(int(i))
        if cur:
            out.append(cur)
        return out

    def __call__(self, texts: list[str]) -> np.ndarray:
        import torch

        old = torch.get_num_threads()
        if self.threads:
            torch.set_num_threads(self.threads)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        try:
            with torch.inference_mode():
                for b in self.batches(texts):
                    part = [texts[i] for i in b]
                    enc = self.tok(
                        part,
                        truncation=True,
                        max_length=self.max_tokens,
                        padding=True,
                        return_tensors="pt",
                    )
                    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.autocast):
                        hidden = self.model(**enc).last_hidden_state
                    m = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                    vec = ((hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)).float()
                    out[b] = vec.numpy()
        finally:
            torch.set_num_threads(old)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


REF: dict[str, Raw] = {}


class _AutocastST(SentenceTransformerEmbedder):
    """``minilm-bf16`` as it was before session 3: fp32 weights under bfloat16 autocast."""

    def _encode(self, texts: list[str]) -> np.ndarray:
        import torch

        with torch.autocast("cpu", dtype=torch.bfloat16):
            vecs = self.model.encode(
                texts, batch_size=len(texts), convert_to_numpy=False, show_progress_bar=False
            )
        return torch.stack(list(vecs)).float().cpu().numpy()


def build_variants(names: list[str] | None) -> dict[str, Callable[[list[str]], np.ndarray]]:
    import torch
    from transformers import AutoModel, AutoTokenizer

    from labscout.index.embedder_base import _minilm_folder

    folder = str(_minilm_folder())
    tok = AutoTokenizer.from_pretrained(folder)

    def bert(attn: str = "sdpa"):
        return AutoModel.from_pretrained(folder, attn_implementation=attn).eval()

    fp32 = bert()
    REF["fp32"] = Raw(fp32, tok)
    lib = get_embedder("minilm")
    want = set(names or [])

    def on(name: str) -> bool:
        return not want or any(name.startswith(w) or w.startswith(name) for w in want)

    v: dict[str, Callable[[list[str]], np.ndarray]] = {}
    v["default"] = lambda t: lib.embed(t, batch_size=64)
    if on("old-default"):  # minilm-bf16 before session 3: fp32 weights under bf16 autocast
        old = copy.copy(get_embedder("minilm-torch"))
        old.__class__ = _AutocastST
        v["old-default"] = lambda t: old.embed(t, batch_size=64)
    if on("fixed"):  # the library's default with one sub-batch size instead of the chooser
        from labscout.index.embedder_base import SubBatchChooser

        for size in (32, 64):
            fixed = copy.copy(lib)
            fixed.sub_batch = SubBatchChooser((size,))  # type: ignore[attr-defined]
            v[f"fixed{size}"] = lambda t, e=fixed: e.embed(t, batch_size=64)
    if on("st-bf16w"):  # the library's bf16 path of session 3: bfloat16 weights, no autocast
        new = copy.deepcopy(get_embedder("minilm-torch"))
        new.model.to(torch.bfloat16)
        v["st-bf16w"] = lambda t: new.embed(t, batch_size=64)
    if on("raw-bf16"):
        v["raw-bf16"] = Raw(fp32, tok, autocast=True)
    if on("fp32"):
        v["fp32"] = Raw(fp32, tok)
    if on("bf16w"):
        v["bf16w"] = Raw(copy.deepcopy(fp32).to(torch.bfloat16), tok)
    if on("eager"):
        v["eager-bf16"] = Raw(bert("eager"), tok, autocast=True)
    if on("int8"):
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        for engine in ("x86", "onednn"):
            if not on(f"int8-{engine}"):
                continue
            torch.backends.quantized.engine = engine
            qconf = {torch.nn.Linear: per_channel_dynamic_qconfig}
            q = quantize_dynamic(copy.deepcopy(fp32), qconf, dtype=torch.qint8)
            v[f"int8-{engine}"] = _with_engine(Raw(q, tok), engine)
    if on("batch"):
        for b in (32, 128):
            v[f"batch{b}-bf16"] = Raw(fp32, tok, batch=b, autocast=True)
    if on("budget"):
        for budget in (8192, 16384):
            v[f"budget{budget}-bf16"] = Raw(fp32, tok, token_budget=budget, autocast=True)
    if on("cap"):
        for cap in (192, 224):
            v[f"cap{cap}-bf16"] = Raw(fp32, tok, max_tokens=cap, autocast=True)
    if on("bsweep"):
        bf16 = copy.deepcopy(fp32).to(torch.bfloat16)
        for b in (8, 16, 24, 32, 64):
            v[f"bsweep-bf16w-batch{b}"] = Raw(bf16, tok, batch=b)
        for budget in (3072, 4096, 6144):
            v[f"bsweep-bf16w-budget{budget}"] = Raw(bf16, tok, token_budget=budget)
    if on("combo") or on("compiled"):
        bf16 = copy.deepcopy(fp32).to(torch.bfloat16)
        v["bf16w-budget8192"] = Raw(bf16, tok, token_budget=8192)
        v["bf16w-cap224"] = Raw(bf16, tok, max_tokens=224)
        v["bf16w-batch32"] = Raw(bf16, tok, batch=32)
        if on("compiled"):
            for freeze in (False, True):
                t = time.perf_counter()
                opts = {"freezing": freeze}
                compiled = torch.compile(copy.deepcopy(bf16), dynamic=True, options=opts)
                Raw(compiled, tok)(["a first text to compile the model with", "and another"])
                print(
                    f"torch.compile (freezing {freeze}): {time.perf_counter() - t:.1f} s "
                    f"(load {load()})",
                    flush=True,
                )
                tag = "compiled-frozen" if freeze else "compiled"
                v[f"{tag}-bf16w"] = Raw(compiled, tok)
                v[f"{tag}-bf16w-batch32"] = Raw(compiled, tok, batch=32)
    if on("threads1"):
        v["threads1-bf16"] = Raw(fp32, tok, autocast=True, threads=1)
    return v


def _with_engine(fn: Raw, engine: str) -> Callable[[list[str]], np.ndarray]:
    def run(texts: list[str]) -> np.ndarray:
        import torch

        torch.backends.quantized.engine = engine
        return fn(texts)

    return run


class _Cached(Embedder):
    """Hands the loss computation the vectors a variant made (all found in the cache)."""

    def __init__(self, key: str) -> None:
        self.name, self.dim, self.key = key, 384, key

    @property
    def cache_key(self) -> str:
        return self.key

    def _encode(self, texts: list[str]) -> np.ndarray:
        raise AssertionError(f"{len(texts)} texts not in the cache")


def gold_losses(variants: dict, texts: list[str]) -> None:
    """Every variant embeds every distinct gold-standard text once; mean loss over the 10
    versions with the default fusion (dense top-3 + stemmed, centred TF-IDF at 0.4) and
    dense alone, and the cosine of its vectors to fp32 vectors."""
    from labscout.evaluation.goldstandard import evaluate, read_evaluations
    from labscout.index.cache import EmbeddingCache
    from labscout.rank.affinity import compute_affinity
    from labscout.sources.openreview_expertise import read_archives, read_submissions

    ratings = read_evaluations(GS / "evaluations.csv")
    versions = sorted(GS.glob("d_20_*"), key=lambda p: int(p.name.rsplit("_", 1)[1]))
    data = [(read_submissions(v / "submissions.json")[0], read_archives(v / "archives")[0])
            for v in versions]  # fmt: skip
    ref = REF["fp32"](texts)
    tmp = tempfile.TemporaryDirectory(prefix="labscout-levers-")
    print("\n| variant | loss fused (v1-5 / v6-10) | loss dense alone | cosine to fp32 |")
    print("|---|---|---|---|")
    with EmbeddingCache(tmp.name) as cache:
        for name, fn in variants.items():
            t = time.perf_counter()
            vecs = fn(texts)
            took = time.perf_counter() - t
            cache.put_many(name, texts, vecs)
            emb = _Cached(name)
            cells = []
            for weight in (LEXICAL_WEIGHT, 0.0):
                per = [evaluate(ratings, compute_affinity(s, a, emb, lexical_weight=weight,
                                                          cache=cache).as_dict()).loss
                       for s, a in data]  # fmt: skip
                cells.append(
                    f"{np.mean(per):.4f} ({np.mean(per[:5]):.4f} / {np.mean(per[5:]):.4f})"
                )
            cos = np.sum(vecs * ref, axis=1)
            print(
                f"| {name} | {cells[0]} | {cells[1]} | {cos.min():.4f} / {cos.mean():.5f} | "
                f"({took:.0f} s, load {load()})",
                flush=True,
            )
    tmp.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="texts to time (0: all 939)")
    ap.add_argument("--chunk", type=int, default=128, help="texts per timed turn")
    ap.add_argument("--rounds", type=int, default=1, help="passes over the texts")
    ap.add_argument("--only", nargs="*", help="variant name prefixes (default: all)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--loss", action="store_true", help="gold-standard loss of each variant")
    args = ap.parse_args()
    if not (GS / "evaluations.csv").is_file():
        print(f"skip: gold standard not found at {GS}")
        return
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    texts = goldstandard_texts()
    variants = build_variants(args.only)
    if args.loss:
        gold_losses(variants, texts)
        return
    texts = sorted(texts[: args.limit or None], key=len)  # as one index build's batches
    chunks = [texts[i : i + args.chunk] for i in range(0, len(texts), args.chunk)]
    names = list(variants)
    print(
        f"{len(texts)} texts in {len(chunks)} length-sorted chunks, {args.rounds} round(s), "
        f"torch {torch.__version__}, threads {torch.get_num_threads()}, load {load()}"
    )
    for n in names:  # warm up: oneDNN primitives, quantised packs, compiled graphs
        variants[n](texts[-40:] + texts[:40])
    wall = {n: [] for n in names}
    cpu = {n: [] for n in names}
    turn = 0
    for r in range(args.rounds):
        for chunk in chunks:
            order = names[turn % len(names) :] + names[: turn % len(names)]
            turn += 1
            for n in order:
                t, c = time.perf_counter(), time.process_time()
                variants[n](chunk)
                wall[n].append(time.perf_counter() - t)
                cpu[n].append(time.process_time() - c)
        print(f"round {r + 1}: load {load()}", flush=True)
    done = args.rounds * len(texts)
    base_w, base_c = np.array(wall["default"]), np.array(cpu["default"])
    print(
        "\n| variant | texts/s (wall) | vs default | median per turn (faster in) "
        "| texts per CPU-s | vs default |"
    )
    print("|---|---|---|---|---|---|")
    for n in names:
        w, c = np.array(wall[n]), np.array(cpu[n])
        per = base_w / w
        print(
            f"| {n} | {done / w.sum():.1f} | x{base_w.sum() / w.sum():.2f} | "
            f"x{np.median(per):.2f} ({np.mean(per > 1):.0%}) | {done / c.sum():.1f} | "
            f"x{base_c.sum() / c.sum():.2f} |"
        )
    print(f"load at the end {load()}")


if __name__ == "__main__":
    main()
