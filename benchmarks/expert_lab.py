"""Expert-finding lab: score many ranking variants in seconds over cached per-query scores.

``benchmarks/expert_finding.py`` calls ``labscout.find`` once a query and variant
(0.1-0.3 s each). To compare dozens of variants, this script computes once per
split and query sample what every variant needs:

- the BM25 score (the index's own BM25) and the cosine (the index's embeddings) of
  the query to *every* work of the store;
- each query's distinct indexed terms; the BM25 vote's ranking (as in
  expert_finding.py); the known and last authors;
- the store's authorships (position, corresponding, team size) and years,

keeps them in ``~/.cache/labscout-bench/lab-<store folder>-<queries>-<seed>.npz``
(store folder = expert_finding's cache key, so a store or index change makes a new
one), and then re-implements ``find``'s scoring in numpy (``rank``): power fusion
of the top ``depth`` of each list, recency, authorship credit, a plain sum per
author, the word-profile blend, plus the variants measured in session 3 (each a
key of ``Config``). The lab's default ``Config`` reproduces ``find``'s MRR (checked
by ``--check``: the lab and ``labscout.find`` on the same queries).

    .venv/bin/python benchmarks/expert_lab.py --split B --queries 1000 --grid mv
    .venv/bin/python benchmarks/expert_lab.py --split A --queries 300 --check

Prints, per variant, MRR, its ratio to the BM25 vote with a paired bootstrap
interval, and its ratio to the lab's default (paired). Skips (exit 0) without
../shared/data/paperlists.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
import expert_finding as ef  # noqa: E402

REF_YEAR = 2026
CREDIT = {"last": 1.0, "corresponding": 1.0, "first": 0.8, "single": 1.0, "middle": 0.4}
TEAM = 10


@dataclass(frozen=True)
class Config:
    """One ranking variant; the defaults are ``find``'s defaults (session 3 start)."""

    depth: int = 200
    lex_w: float = 0.75
    dense_w: float = 0.25
    lex_p: float = 4.0
    dense_p: float = 8.0
    half_life: float = 4.0
    position: bool = True
    w_first: float = 0.8
    w_middle: float = 0.4
    prof_w: float = 1.0
    prof_p: float = 4.0
    # -- session 3: the researcher's whole body of work, for the top candidates --------
    cand: int = 100
    """Candidates (best by the score so far) that the body-of-work features re-score."""
    mv_w: float = 0.0
    """Weight of the dense multi-vector profile: mean of the top ``mv_top`` cosines of
    the query to all the candidate's works, over the best candidate's, ** mv_p."""
    mv_p: float = 8.0
    mv_top: int = 3
    mv_rec: bool = False
    mv_pad: bool = False
    mv_cred: float = 0.0
    """Each work's cosine times (authorship credit on it) ** mv_cred before the top."""
    mv_min_terms: int = 0
    """The body-of-work features count only for queries of at least this many terms."""
    mv_tau: float = 0.0
    """When above 0, the dense feature is tau * log(sum of exp(cosine / tau)) over all the
    candidate's works (a soft maximum that grows with the number of close works)
    instead of the top-``mv_top`` mean."""
    """Divide the top ``mv_top`` sum by ``mv_top`` even when the author has fewer works
    (a body of work counts; a one-paper author gets a third of its cosine)."""
    """Multiply each work's cosine by its recency weight before taking the top."""
    ml_w: float = 0.0
    """Weight of the BM25 top-``mv_top`` mean over all the candidate's works, ** ml_p."""
    ml_p: float = 4.0
    rr_w: float = 0.0
    """Weight of reciprocal-rank evidence: sum over the author's retrieved works of
    1 / (60 + rank in the fused list), over the best candidate's."""
    cov_w: float = 0.0
    """Weight of query-term coverage: idf-weighted share of the query's distinct terms
    found anywhere in the author's works, over the best, ** cov_p."""
    cov_p: float = 4.0
    mult: bool = False
    """Body-of-work features multiply the score (x (1 + w f)) instead of adding."""
    norm: str = "max"
    """How a candidate feature is scaled: 'max' (over the best candidate) or 'minmax'."""


# -- preparing (once per split and query sample) ------------------------------------------


def prepare(
    split: str,
    n_queries: int,
    seed: int,
    max_store: int,
    venues: tuple[str, ...],
    part: str = "both",
):
    files = ef.store_files(split, max_store, venues)
    key = ef.cache_key(files, max_store, "minilm-bf16")
    folder = ef.CACHE / f"expert-{split}-{key}"
    tag = "" if part == "both" else f"-{part}"
    cache = ef.CACHE / f"lab-{folder.name}-{'_'.join(venues)}-{n_queries}-{seed}{tag}.npz"
    if cache.is_file():
        print(f"lab data: {cache}")
        return Lab(dict(np.load(cache, allow_pickle=True)))
    store, index = ef.open_store(files, folder, "minilm-bf16", False)
    ids, texts, authors = ef.store_works(store)
    work_authors = [authors[w] for w in ids]
    counts: dict[str, int] = {}
    for a_list in work_authors:
        for a in set(a_list):
            counts[a] = counts.get(a, 0) + 1
    queries, _ = ef.sample_queries(split, venues, n_queries, 3, counts, seed, part)
    t0 = time.perf_counter()
    names = sorted(counts)
    a_of = {a: i for i, a in enumerate(names)}
    rows = store.con.execute(
        "SELECT a.work_id, a.author_id, a.author_position, a.is_corresponding, w.publication_year "
        "FROM authorships a JOIN works w ON w.id = a.work_id"
    ).fetchall()
    n_auth: dict[str, int] = {}
    for r in rows:
        n_auth[r[0]] = n_auth.get(r[0], 0) + 1
    a_row, a_auth, a_cat, a_n = [], [], [], []
    cats = list(CREDIT)
    for wid, aid, pos, corr, _ in rows:
        n = n_auth[wid]
        cat = ("single" if n <= 1 else "last" if pos == "last" else "corresponding" if corr
               else "first" if pos == "first" else "middle")  # fmt: skip
        a_row.append(index.row_of[wid])
        a_auth.append(a_of[aid])
        a_cat.append(cats.index(cat))
        a_n.append(n)
    year = np.full(len(index.work_ids), -1, dtype=np.int32)
    for wid, y in store.con.execute("SELECT id, publication_year FROM works").fetchall():
        year[index.row_of[wid]] = -1 if y is None else y
    texts_q = [q.text for q in queries]
    lex = np.stack([index.lexical.scores(t) for t in texts_q]).astype(np.float32)
    qv = index.embed_queries(texts_q)
    cos = (qv @ np.asarray(index.embeddings, np.float32).T).astype(np.float32)
    terms = np.array([np.array(index.lexical.term_ids(t), dtype=np.int32) for t in texts_q]
                     + [None], dtype=object)[:-1]  # fmt: skip
    vote = ef.bm25_vote(texts, work_authors, queries, 20, 100)
    dtm = index.lexical.doc_term_matrix().tocsr()
    data = {
        "names": np.array(names, dtype=object),
        "a_row": np.array(a_row, np.int32), "a_auth": np.array(a_auth, np.int32),
        "a_cat": np.array(a_cat, np.int8), "a_n": np.array(a_n, np.int32),
        "year": year, "lex": lex, "cos": cos, "terms": terms,
        "known": np.array([np.array(sorted(a_of[a] for a in q.known), np.int32) for q in queries]
                          + [None], dtype=object)[:-1],
        "last": np.array([a_of[q.last] if q.last else -1 for q in queries], np.int32),
        "vote": np.array([np.array([a_of[a] for a in v], np.int32) for v in vote] + [None],
                         dtype=object)[:-1],
        "dtm_data": dtm.data, "dtm_indices": dtm.indices, "dtm_indptr": dtm.indptr,
        "dtm_shape": np.array(dtm.shape), "qids": np.array([q.work for q in queries]),
    }  # fmt: skip
    np.savez(cache, **data)
    store.close()
    print(f"lab data prepared in {time.perf_counter() - t0:.0f}s: {cache}")
    return Lab(data)


class Lab:
    """The cached arrays and the matrices derived from them."""

    def __init__(self, d: dict) -> None:
        self.d = d
        self.names = d["names"]
        self.n_a = len(self.names)
        self.n_w = len(d["year"])
        self.lex, self.cos = d["lex"], d["cos"]
        self.n_q = len(self.lex)
        self.terms, self.known, self.last = d["terms"], d["known"], d["last"]
        year = d["year"]
        self.age = np.where(year < 0, -1, np.maximum(0, REF_YEAR - year))
        shape = (self.n_w, self.n_a)
        self._credit: dict[tuple[float, float], sp.csr_matrix] = {}
        self.m_pos = self.credit_matrix(0.8, 0.4)
        ones = np.ones(len(d["a_row"]), np.float32)
        self.m_one = sp.csr_matrix((ones, (d["a_row"], d["a_auth"])), shape=shape)
        self.who = self.m_one.T.tocsr()  # authors x works
        dtm = sp.csr_matrix((d["dtm_data"], d["dtm_indices"], d["dtm_indptr"]),
                            shape=tuple(d["dtm_shape"]))  # fmt: skip
        from sklearn.preprocessing import normalize

        self.profiles = normalize((self.who @ normalize(dtm.astype(np.float32))).tocsr()).tocsc()
        binary = (dtm > 0).astype(np.float32)
        self.author_terms = ((self.who @ binary) > 0).astype(np.float32).tocsc()
        df = np.asarray(binary.sum(axis=0)).ravel()
        self.idf = np.log((self.n_w + 1) / (df + 1)).astype(np.float32)
        self.vote = d["vote"]

    def credit_matrix(self, first: float, middle: float) -> sp.csr_matrix:
        """Works x authors, each authorship's credit (first / middle weights given)."""
        if (first, middle) not in self._credit:
            d = self.d
            cat = d["a_cat"]
            weights = dict(CREDIT, first=first, middle=middle)
            cred = np.array(list(weights.values()), np.float32)[cat]
            big = (cat == list(CREDIT).index("middle")) & (d["a_n"] > TEAM)
            cred[big] *= TEAM / d["a_n"][big]
            self._credit[first, middle] = sp.csr_matrix(
                (cred, (d["a_row"], d["a_auth"])), shape=(self.n_w, self.n_a)
            )
        return self._credit[first, middle]

    def recency(self, half_life: float) -> np.ndarray:
        return np.where(self.age < 0, 0.5, 0.5 ** (np.maximum(self.age, 0) / half_life))


def _top_rows(x: np.ndarray, k: int) -> np.ndarray:
    pos = np.flatnonzero(x > 0)
    if len(pos) > k:
        pos = pos[np.argpartition(-x[pos], k - 1)[:k]]
    return pos


def _scale(x: np.ndarray, how: str) -> np.ndarray:
    if how == "minmax":
        lo, hi = x.min(), x.max()
        return (x - lo) / (hi - lo) if hi > lo else np.ones_like(x)
    hi = x.max()
    return x / hi if hi > 0 else np.zeros_like(x)


def group_top_mean(
    vals: np.ndarray, seg: np.ndarray, n_seg: int, k: int, pad: bool = False
) -> np.ndarray:
    """Mean of the ``k`` largest ``vals`` in each segment (``seg``: segment of each value);
    with ``pad``, their sum over ``k`` (missing values count 0)."""
    order = np.lexsort((-vals, seg))
    s, v = seg[order], vals[order]
    starts = np.searchsorted(s, np.arange(n_seg))
    rank = np.arange(len(s)) - starts[s]
    keep = rank < k
    tot = np.bincount(s[keep], weights=v[keep], minlength=n_seg)
    cnt = np.bincount(s[keep], minlength=n_seg)
    return tot / k if pad else tot / np.maximum(cnt, 1)


def rank(lab: Lab, q: int, c: Config, rec: np.ndarray) -> np.ndarray:
    """Author indices, best first (the top 100), for query ``q`` under ``c``."""
    lex, cos = lab.lex[q], lab.cos[q]
    rel = np.zeros(lab.n_w, np.float64)
    lrows = _top_rows(lex, c.depth) if c.lex_w > 0 else np.array([], int)
    drows = _top_rows(cos, c.depth) if c.dense_w > 0 else np.array([], int)
    tot = c.lex_w + c.dense_w
    if len(lrows):
        rel[lrows] += c.lex_w * (lex[lrows] / lex[lrows].max()) ** c.lex_p / tot
    if len(drows):
        rel[drows] += c.dense_w * (cos[drows] / cos[drows].max()) ** c.dense_p / tot
    rows = np.union1d(lrows, drows)
    m = lab.credit_matrix(c.w_first, c.w_middle) if c.position else lab.m_one
    contrib = rel[rows] * rec[rows]
    score = np.asarray(m[rows].T @ contrib).ravel()
    alive = np.flatnonzero(score > 0)
    terms = lab.terms[q]
    if c.prof_w > 0 and len(terms) >= 12 and len(alive):
        p = np.asarray(lab.profiles[:, terms].sum(axis=1)).ravel()[alive]
        s = score[alive] / score[alive].max()
        ptop = p.max() or 1.0
        score[alive] = s + c.prof_w * (p / ptop) ** c.prof_p
    elif len(alive):
        score[alive] /= score[alive].max()
    # -- body-of-work features for the top candidates ----------------------------------
    if (c.mv_w or c.ml_w or c.rr_w or c.cov_w) and len(alive) and len(terms) >= c.mv_min_terms:
        cand = alive[np.argsort(-score[alive], kind="stable")[: c.cand]]
        extra = np.zeros(len(cand))
        sub = lab.who[cand]
        seg = np.repeat(np.arange(len(cand)), np.diff(sub.indptr))
        if c.mv_w:
            v = cos[sub.indices] * (rec[sub.indices] if c.mv_rec else 1.0)
            if c.mv_cred:
                cred = lab.credit_matrix(c.w_first, c.w_middle).T.tocsr()[cand]
                v = v * np.asarray(cred.data) ** c.mv_cred
            if c.mv_tau > 0:
                e = np.exp((v.astype(np.float64) - 1.0) / c.mv_tau)
                f = 1.0 + c.mv_tau * np.log(
                    np.bincount(seg, weights=e, minlength=len(cand)) + 1e-300
                )
                f = np.clip(f, 0, None)
            else:
                f = group_top_mean(v, seg, len(cand), c.mv_top, c.mv_pad)
            extra += c.mv_w * np.clip(_scale(f, c.norm), 0, None) ** c.mv_p
        if c.ml_w:
            f = group_top_mean(
                lex[sub.indices].astype(np.float64), seg, len(cand), c.mv_top, c.mv_pad
            )
            extra += c.ml_w * _scale(f, c.norm) ** c.ml_p
        if c.rr_w:
            order = rows[np.argsort(-rel[rows], kind="stable")]
            rr = np.zeros(lab.n_w)
            rr[order] = 1.0 / (60 + np.arange(1, len(order) + 1))
            f = np.bincount(seg, weights=rr[sub.indices], minlength=len(cand))
            extra += c.rr_w * _scale(f, c.norm)
        if c.cov_w:
            idf = lab.idf[terms]
            f = np.asarray(lab.author_terms[cand][:, terms] @ idf).ravel() / max(idf.sum(), 1e-9)
            extra += c.cov_w * _scale(f, c.norm) ** c.cov_p
        base = score[cand]
        score[cand] = base * (1 + extra) if c.mult else base + extra
        # the candidates stay above everyone else (they were the best before)
        score[cand] += 1e6
    order = alive[np.argsort(-score[alive], kind="stable")]
    return order[:100]


def evaluate(
    lab: Lab, c: Config, subset: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per-query reciprocal rank (any known author) and last-author reciprocal rank (nan
    where the last author is unknown)."""
    rec = lab.recency(c.half_life)
    qs = range(lab.n_q) if subset is None else subset
    rr, lr = [], []
    for q in qs:
        got = rank(lab, q, c, rec)
        rr.append(_rr(got, lab.known[q]))
        lr.append(_rr(got, [lab.last[q]]) if lab.last[q] >= 0 else np.nan)
    return np.array(rr), np.array(lr)


def _rr(got: np.ndarray, answers) -> float:
    hit = np.flatnonzero(np.isin(got, answers))
    return 1.0 / (hit[0] + 1) if len(hit) else 0.0


def vote_rr(lab: Lab, subset=None) -> np.ndarray:
    qs = range(lab.n_q) if subset is None else subset
    return np.array([_rr(lab.vote[q], lab.known[q]) for q in qs])


GRIDS = {
    "base": [{}],
    "mv": [dict(mv_w=w, mv_p=p, mv_top=k) for w, p, k in
           itertools.product((0.25, 0.5, 1.0), (4, 8, 16), (1, 3, 5))],
    "ml": [dict(ml_w=w, ml_p=p, mv_top=k) for w, p, k in
           itertools.product((0.25, 0.5, 1.0), (2, 4, 8), (1, 3))],
    "mvpad": [dict(mv_w=w, mv_p=p, mv_top=k, mv_pad=True) for w, p, k in
              itertools.product((0.25, 0.5, 1.0), (2, 4, 8), (3, 5, 10))],
    "mv2": [dict(mv_w=w, mv_p=p, mv_top=k, mv_pad=True) for w, p, k in
            itertools.product((0.75, 1.0, 1.5, 2.0, 3.0), (1, 2, 3, 4), (2, 3, 4))],
    "mvx": [dict(mv_w=1.0, mv_p=2, mv_top=3, mv_pad=True, **x) for x in
            ({"mv_rec": True}, {"cand": 50}, {"cand": 200}, {"cand": 30}, {"norm": "minmax"},
             {"mult": True}, {"prof_w": 0.5}, {"prof_w": 0.0}, {"prof_w": 1.5},
             {"half_life": 8.0}, {"dense_w": 0.0, "lex_w": 1.0}, {"dense_w": 0.5, "lex_w": 0.5})],
    "mvprof": [dict(mv_w=w, mv_p=p, mv_top=3, mv_pad=True, prof_w=pw) for w, p, pw in
               itertools.product((1.0, 1.5, 2.0), (1, 2), (0.0, 0.25, 0.5, 1.0))],
    "lse": [dict(mv_w=w, mv_p=p, mv_tau=t) for w, p, t in
            itertools.product((1.0, 1.5, 2.0), (1, 2, 4), (0.02, 0.05, 0.1))],
    "mlpad": [dict(mv_w=1.5, mv_p=2, mv_top=3, mv_pad=True, ml_w=w, ml_p=p) for w, p in
              itertools.product((0.0, 0.25, 0.5, 1.0), (1, 2, 4))],
    "short": [dict(mv_w=w, mv_p=p, mv_top=k, mv_pad=True) for w, p, k in
              itertools.product((0.5, 1.0, 1.5, 2.0), (2, 4), (1, 3))],
    "fusion": [dict(lex_w=1 - dw, dense_w=dw, lex_p=lp, dense_p=dp) for dw, lp, dp in
               itertools.product((0.1, 0.25, 0.4), (3, 4, 6), (4, 8, 12))],
    "misc": [{"half_life": h} for h in (3.0, 5.0, 6.0)]
            + [{"w_middle": m} for m in (0.3, 0.5, 0.6, 0.8)]
            + [{"w_first": f} for f in (0.6, 1.0)] + [{"position": False}]
            + [{"prof_p": p} for p in (2.0, 3.0, 6.0)] + [{"depth": d} for d in (100, 300)],
    "rr": [dict(rr_w=w) for w in (0.1, 0.25, 0.5, 1.0)],
    "cov": [dict(cov_w=w, cov_p=p) for w, p in itertools.product((0.25, 0.5, 1.0), (2, 4, 8))],
}  # fmt: skip


def parse_variant(text: str) -> dict:
    out = {}
    types = {f.name: f.type for f in fields(Config)}
    for part in filter(None, text.split(",")):
        k, v = part.split("=")
        t = types[k]
        out[k] = (
            (v.lower() in ("1", "true"))
            if t in ("bool", bool)
            else (int(v) if t in ("int", int) else float(v) if t in ("float", float) else v)
        )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=sorted(ef.SPLITS), default="A")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-store", type=int, default=20_000)
    ap.add_argument("--venues", default="")
    ap.add_argument("--query-part", choices=("both", "title"), default="both")
    ap.add_argument("--grid", default="base", help=f"comma-separated of {sorted(GRIDS)}")
    ap.add_argument("--variant", action="append", default=[],
                    help="key=value,... of Config (repeatable)")  # fmt: skip
    ap.add_argument("--base", default="", help="key=value,... the grid varies from")
    ap.add_argument("--half", choices=("all", "even", "odd"), default="all")
    ap.add_argument("--boot", type=int, default=1000)
    ap.add_argument("--check", action="store_true", help="lab default vs labscout.find")
    args = ap.parse_args()
    if not ef.LISTS.is_dir():
        print(f"skipped: {ef.LISTS} not found")
        return 0
    print(f"load average at start: {ef.load()}")
    venues = tuple(v for v in args.venues.split(",") if v)
    lab = prepare(args.split, args.queries, args.seed, args.max_store, venues, args.query_part)
    subset = None
    if args.half != "all":
        subset = np.arange(lab.n_q)[(args.half == "odd") :: 2]
    base = replace(Config(), **parse_variant(args.base))
    vote = vote_rr(lab, subset)
    ref, _ = evaluate(lab, base, subset)
    print(f"split {args.split}, {len(vote)} queries; BM25 vote MRR {vote.mean():.4f}; "
          f"base {base_desc(base)} MRR {ref.mean():.4f} "
          f"({ref.mean() / vote.mean():.3f}x vote)")  # fmt: skip
    if args.check:
        check(args, lab, ref)
    variants = [v for g in args.grid.split(",") for v in GRIDS[g]]
    variants += [parse_variant(v) for v in args.variant]
    rows = []
    for v in variants:
        t0 = time.perf_counter()
        rr, lr = evaluate(lab, replace(base, **v), subset)
        rows.append((v, rr, lr, time.perf_counter() - t0))
    rows.sort(key=lambda r: -r[1].mean())
    print("| variant | MRR | last MRR | / vote [95%] | / base [95%] | s |")
    print("|---|---|---|---|---|---|")
    for v, rr, lr, secs in rows:
        lo, hi = ef.ratio_interval(rr, vote, args.boot, 0)
        blo, bhi = ef.ratio_interval(rr, ref, args.boot, 0)
        print(f"| {v or 'base'} | {rr.mean():.4f} | {np.nanmean(lr):.4f} | "
              f"{rr.mean() / vote.mean():.3f} [{lo:.2f}, {hi:.2f}] | "
              f"{rr.mean() / ref.mean():.3f} [{blo:.2f}, {bhi:.2f}] | {secs:.1f} |")  # fmt: skip
    print(f"load average at end: {ef.load()}")
    return 0


def base_desc(c: Config) -> str:
    d = {f.name: getattr(c, f.name) for f in fields(c) if getattr(c, f.name) != f.default}
    return str(d or "defaults")


def check(args, lab: Lab, ref: np.ndarray) -> None:
    """MRR of ``labscout.find`` itself on the same queries, beside the lab's default."""
    files = ef.store_files(args.split, args.max_store, tuple(filter(None, args.venues.split(","))))
    folder = ef.CACHE / f"expert-{args.split}-{ef.cache_key(files, args.max_store, 'minilm-bf16')}"
    store, index = ef.open_store(files, folder, "minilm-bf16", False)
    texts = dict(zip(*ef.store_works(store)[:2], strict=True))  # noqa: F841 (warms the store)
    names = lab.names
    got = []
    qs = _query_texts(args, lab, store)
    for q, text in enumerate(qs):
        ranked = ef.labscout_ranking(store, index, text, 100)
        a_of = {a: i for i, a in enumerate(names)}
        got.append(_rr(np.array([a_of.get(a, -1) for a in ranked]), lab.known[q]))
    got = np.array(got)
    same = np.isclose(got, ref).mean()
    print(f"check: labscout.find MRR {got.mean():.4f}, lab {ref.mean():.4f}; "
          f"same reciprocal rank on {same:.1%} of queries")  # fmt: skip
    store.close()


def _query_texts(args, lab: Lab, store) -> list[str]:
    venues = tuple(filter(None, args.venues.split(",")))
    counts: dict[str, int] = {}
    for a in store.con.execute(
        "SELECT author_id, count(DISTINCT work_id) FROM authorships GROUP BY author_id"
    ).fetchall():
        counts[a[0]] = a[1]
    queries, _ = ef.sample_queries(
        args.split, venues, args.queries, 3, counts, args.seed, args.query_part
    )
    assert [q.work for q in queries] == list(lab.d["qids"]), "query samples differ"
    return [q.text for q in queries]


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
