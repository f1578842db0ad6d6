"""Build, check and open the indexes that live beside a store.

A store ``my.duckdb`` gets the folder ``my.duckdb.labscout-index/`` with

- ``manifest.json``: what the index was built from (store fingerprint,
  embedder, BM25 and vector settings, library versions, timings);
- ``rows.json``: the work id of every row, a hash of its text, and whether the
  work is still in the store. Row order is stable: a re-run appends new works
  and re-embeds in place only works whose title or abstract changed;
- ``embeddings.f32`` (or ``.f16``): one unit vector a row;
- ``bm25/``: the bm25s index (rebuilt whenever rows change: it takes seconds);
- ``vectors.usearch``: the HNSW graph, only above the exact-search limit.

The manifest is written last, so a run that was killed leaves the previous
index readable; the next run picks up from it. Every file is written beside
the one it replaces and renamed over it, never rewritten in place: a process
that opened the index (a running ``serve``) keeps answering from the files it
loaded, until it is restarted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from labscout.errors import IndexStateError
from labscout.index import vectors as V
from labscout.index.lexical import LexicalIndex, LexicalParams
from labscout.progress import Progress, SilentProgress
from labscout.store import Store

FORMAT = 1
SUFFIX = ".labscout-index"


def index_path_for(store: Store) -> Path:
    """The index folder that belongs to ``store`` (``<db>.labscout-index``)."""
    if store.path == ":memory:":
        raise IndexStateError(
            "an in-memory store has no place for its index",
            hint="Pass an index folder explicitly (index_path=...).",
        )
    return Path(store.path + SUFFIX)


def work_text(title: str | None, abstract: str | None) -> str:
    """The text that is indexed for a work: its title, then its abstract when there is one."""
    title = (title or "").strip()
    abstract = (abstract or "").strip()
    if title and abstract:
        return f"{title}. {abstract}"
    return title or abstract


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def _versions() -> dict[str, str]:
    out = {}
    for pkg in ("labscout", "bm25s", "usearch", "numpy", "PyStemmer", "sentence-transformers"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[pkg] = metadata.version(pkg)
    return out


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _swap_folder(target: Path, write: Any) -> None:
    """``write(folder)`` into a new folder beside ``target``, then swap it in: the old
    folder is renamed away and deleted only after the new one is in place. A reader
    that loaded the old one keeps it (bm25s loads it into memory); one opening it in
    the instant between the two renames gets an IndexStateError, never a crash."""
    tmp = target.with_name(target.name + ".tmp")
    old = target.with_name(target.name + ".old")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    write(tmp)
    if target.exists():
        os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def read_manifest(path: Path) -> dict[str, Any] | None:
    f = path / "manifest.json"
    if not f.is_file():
        return None
    try:
        manifest = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return manifest if _manifest_ok(manifest) else None


def _manifest_ok(m: Any) -> bool:
    """A manifest of this format with every field loading needs, of the right types; a
    damaged one reads as no index at all (the next ``labscout index`` builds anew)."""
    try:
        return (
            isinstance(m, dict)
            and m.get("format") == FORMAT
            and isinstance(m["store_fingerprint"], str)
            and isinstance(m["n_rows"], int)
            and isinstance(m["dim"], int)
            and isinstance(m["embedding_dtype"], str)
            and isinstance(m["lexical"], dict)
            and isinstance(m["vectors"]["kind"], str)
            and isinstance(m["embedder"]["name"], str)
        )
    except (KeyError, TypeError):
        return False


@dataclass(frozen=True)
class IndexReport:
    """What one ``labscout index`` run did."""

    path: str
    n_works: int
    n_embedded: int
    n_removed: int
    lexical_rebuilt: bool
    embedder: str
    vector_kind: str
    seconds: float
    embed_seconds: float
    up_to_date: bool = False

    def summary(self) -> str:
        if self.up_to_date:
            return f"index {self.path}: up to date ({self.n_works:,} works)"
        return (
            f"index {self.path}: {self.n_works:,} works, {self.n_embedded:,} embedded "
            f"with {self.embedder} ({self.embed_seconds:.1f}s), {self.n_removed:,} removed, "
            f"BM25 {'rebuilt' if self.lexical_rebuilt else 'kept'}, "
            f"{self.vector_kind} vector search, {self.seconds:.1f}s in all"
        )


@dataclass
class _Rows:
    work_ids: list[str] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    live: list[bool] = field(default_factory=list)


def _read_rows(path: Path, n_rows: int) -> _Rows:
    try:
        d = json.loads((path / "rows.json").read_text(encoding="utf-8"))
        rows = _Rows(d["work_ids"][:n_rows], d["hashes"][:n_rows], d["live"][:n_rows])
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise IndexStateError(
            f"the row list of the index {path} is missing or damaged",
            hint="Run `labscout index --full` to build the index anew.",
        ) from None
    if len(rows.work_ids) != n_rows:
        raise IndexStateError(f"the row list of the index {path} is shorter than its manifest")
    return rows


def build_index(
    store: Store,
    path: str | os.PathLike[str] | None = None,
    embedder: str | None = None,
    full: bool = False,
    lexical: LexicalParams | None = None,
    vector_kind: str = "auto",
    dtype: str = "float32",
    usearch_dtype: str = "f32",
    batch_size: int = 64,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    default_embedder: str | None = None,
    progress: Progress | None = None,
    embed_workers: int = 1,
) -> IndexReport:
    """Build or update the lexical and dense indexes of ``store``.

    Incremental: works already embedded with the same embedder and the same
    text keep their vectors; only new or changed works are embedded. ``full``
    starts from nothing. ``embedder`` defaults to the one the index was built
    with, else ``default_embedder``, else the setting ``embedder``. With ``cache``, vectors are
    also kept in (and taken from) the shared embedding cache in ``cache_dir``,
    so that a text is embedded once across stores and rebuilds.

    ``vector_kind``: ``auto`` (exact search below ``EXACT_LIMIT`` works, usearch
    above), ``exact`` or ``usearch``; ``usearch_dtype`` (f32, f16, i8) quantises
    the usearch graph; ``dtype`` (float32, float16) is how embeddings are stored.
    ``embed_workers`` > 1 embeds in that many one-thread processes when at least 2,000
    texts are new (:mod:`labscout.index.parallel`; same vectors). Off by default: on 2
    shared cores it was no faster on average (docs/benchmarks.md, issue 18).
    """
    from labscout.index.embedders import get_embedder
    from labscout.settings import Settings

    t0 = time.perf_counter()
    progress = progress or SilentProgress()
    folder = Path(path) if path is not None else index_path_for(store)
    folder.mkdir(parents=True, exist_ok=True)
    lexical = lexical or LexicalParams()
    old = None if full else read_manifest(folder)
    if embedder is None:
        embedder = (
            old["embedder"]["name"] if old else (default_embedder or Settings.load().embedder)
        )
    emb = get_embedder(embedder, cache_dir)
    if old is not None and (
        old.get("format") != FORMAT
        or old["embedder"] != emb.describe()
        or old["embedding_dtype"] != dtype
    ):
        old = None  # another model or layout: start again
    if old is not None:
        f = V.embeddings_file(folder, dtype)
        need = old["n_rows"] * emb.dim * np.dtype(V.DTYPES[dtype][0]).itemsize
        if not f.is_file() or f.stat().st_size < need or not (folder / "rows.json").is_file():
            old = None  # files lost or cut short: embed everything again
    rows = _read_rows(folder, old["n_rows"]) if old else _Rows()
    fingerprint = store.fingerprint()

    current = {wid: work_text(title, abstract) for wid, title, abstract in store.work_texts()}
    row_of = {wid: i for i, wid in enumerate(rows.work_ids)}
    changed_rows: list[int] = []
    removed = 0
    for i, wid in enumerate(rows.work_ids):
        text = current.get(wid)
        if text is None:
            removed += rows.live[i]
            rows.live[i] = False
        elif not rows.live[i] or rows.hashes[i] != _hash(text):
            changed_rows.append(i)
    new_ids = [wid for wid in current if wid not in row_of]
    n_kept = len(rows.work_ids)

    same_vectors = old is not None and (
        old["vectors"]["kind"] == V.choose_kind(sum(rows.live), vector_kind)
        and old["vectors"].get("usearch_dtype", "f32") == usearch_dtype
    )
    same_lexical = old is not None and old["lexical"] == {"kind": "bm25s", **asdict(lexical)}
    if old and not changed_rows and not new_ids and not removed and same_lexical and same_vectors:
        manifest = dict(old, store_fingerprint=fingerprint, checked_at=_now())
        _write_json(folder / "manifest.json", manifest)
        return IndexReport(
            str(folder), sum(rows.live), 0, 0, False, emb.name, old["vectors"]["kind"],
            time.perf_counter() - t0, 0.0, up_to_date=True,
        )  # fmt: skip

    to_embed = [current[rows.work_ids[i]] for i in changed_rows] + [current[w] for w in new_ids]
    t_embed = time.perf_counter()
    opts = {"batch_size": batch_size, "progress": progress, "workers": embed_workers}
    if to_embed and cache:
        from labscout.index.cache import EmbeddingCache

        with EmbeddingCache(cache_dir) as ec:
            vecs = emb.embed(to_embed, cache=ec, **opts)
    elif to_embed:
        vecs = emb.embed(to_embed, **opts)
    else:
        vecs = np.zeros((0, emb.dim), np.float32)
    embed_seconds = time.perf_counter() - t_embed
    changed = {row: vecs[j] for j, row in enumerate(changed_rows)}
    V.write_embeddings(folder, dtype, emb.dim, n_kept, vecs[len(changed_rows) :], changed)
    for i in changed_rows:
        rows.hashes[i] = _hash(current[rows.work_ids[i]])
        rows.live[i] = True
    for wid in new_ids:
        rows.work_ids.append(wid)
        rows.hashes.append(_hash(current[wid]))
        rows.live.append(True)
    n_rows = len(rows.work_ids)
    live = np.asarray(rows.live, dtype=bool)

    with progress.task("BM25 index", total=1) as bar:
        texts = [current[w] if ok else "" for w, ok in zip(rows.work_ids, rows.live, strict=True)]
        lex = LexicalIndex.build(texts, lexical)
        _swap_folder(folder / "bm25", lex.save)
        bar.advance()

    kind = V.choose_kind(int(live.sum()), vector_kind)
    usearch_file = folder / "vectors.usearch"
    if kind == "usearch":
        with progress.task("vector index (usearch)", total=1) as bar:
            all_vecs = V.read_embeddings(folder, dtype, n_rows, emb.dim)
            if (
                old
                and old["vectors"]["kind"] == "usearch"
                and old["vectors"].get("usearch_dtype", "f32") == usearch_dtype
                and usearch_file.is_file()
            ):
                uidx = V.USearchIndex.load(usearch_file, live)
                touched = np.asarray(changed_rows + list(range(n_kept, n_rows)), np.int64)
                uidx.add(touched, np.asarray(all_vecs[touched], np.float32))
                uidx.remove(np.flatnonzero(~live))
            else:
                uidx = V.USearchIndex.build(all_vecs, live, dtype=usearch_dtype)
            uidx.save(usearch_file)
            bar.advance()
    elif usearch_file.exists():
        usearch_file.unlink()

    _write_json(folder / "rows.json", asdict(rows))
    seconds = time.perf_counter() - t0
    manifest = {
        "format": FORMAT,
        "built_at": _now(),
        "checked_at": _now(),
        "store_path": store.path,
        "store_fingerprint": fingerprint,
        "n_rows": n_rows,
        "n_works": int(live.sum()),
        "text": "title + '. ' + abstract (title alone when there is no abstract)",
        "lexical": lex.describe(),
        "embedder": emb.describe(),
        "dim": emb.dim,
        "embedding_dtype": dtype,
        "vectors": {"kind": kind, "exact_limit": V.EXACT_LIMIT, "usearch_dtype": usearch_dtype},
        "versions": _versions(),
        "last_run": {
            "embedded": len(to_embed),
            "removed": removed,
            "embed_seconds": round(embed_seconds, 3),
            "seconds": round(seconds, 3),
        },
    }
    _write_json(folder / "manifest.json", manifest)
    return IndexReport(
        str(folder), int(live.sum()), len(to_embed), removed, True, emb.name, kind,
        seconds, embed_seconds,
    )  # fmt: skip


def _resolve(name: str) -> str:
    from labscout.index.embedders import resolve

    return resolve(name)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def index_state(store: Store, path: str | os.PathLike[str] | None = None) -> str:
    """``missing``, ``stale`` (the store changed since the build) or ``fresh``."""
    folder = Path(path) if path is not None else index_path_for(store)
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("format") != FORMAT:
        return "missing"
    return "fresh" if manifest["store_fingerprint"] == store.fingerprint() else "stale"


class SearchIndex:
    """An opened index: BM25, vectors, and the work id of every row."""

    def __init__(self, folder: Path, manifest: dict[str, Any]) -> None:
        self.path = folder
        self.manifest = manifest
        self.derived: dict[str, Any] = {}
        """What ranking derives from this index on first use (author profiles): kept with
        the index and dropped with it, never in a module-level cache."""
        self.derived_lock = threading.Lock()
        rows = _read_rows(folder, manifest["n_rows"])
        self.work_ids: list[str] = rows.work_ids
        self.row_of = {w: i for i, w in enumerate(rows.work_ids)}
        self.live = np.asarray(rows.live, dtype=bool)
        lex = {k: v for k, v in manifest["lexical"].items() if k != "kind"}
        self.lexical = LexicalIndex.load(folder / "bm25", LexicalParams(**lex))
        self.embeddings = V.read_embeddings(
            folder, manifest["embedding_dtype"], manifest["n_rows"], manifest["dim"]
        )
        self.vectors: V.VectorIndex
        if manifest["vectors"]["kind"] == "usearch":
            self.vectors = V.USearchIndex.load(folder / "vectors.usearch", self.live)
        else:
            self.vectors = V.ExactIndex(self.embeddings, self.live)

    @property
    def embedder_name(self) -> str:
        return self.manifest["embedder"]["name"]

    def __len__(self) -> int:
        return int(self.live.sum())

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of ``texts`` with the embedder the index was built with."""
        from labscout.index.embedders import get_embedder

        return get_embedder(self.embedder_name).embed(texts)

    def row_vectors(self, rows: list[int]) -> np.ndarray:
        return np.asarray(self.embeddings[rows], dtype=np.float32)


def load_index(
    store: Store,
    path: str | os.PathLike[str] | None = None,
    embedder: str | None = None,
    on_stale: str = "refuse",
    progress: Progress | None = None,
) -> SearchIndex:
    """Open the index of ``store``; a missing or stale one is built (``on_stale="rebuild"``)
    or refused with a hint (``"refuse"``, the default)."""
    folder = Path(path) if path is not None else index_path_for(store)
    state = index_state(store, folder)
    where = "" if store.path == ":memory:" else f" --db {store.path}"
    if state != "fresh":
        if on_stale == "rebuild":
            build_index(store, folder, embedder=embedder, progress=progress)
        elif state == "missing":
            raise IndexStateError(
                f"no search index for the store {store.path}",
                hint=f"Run `labscout index{where}` first (or pass --reindex).",
            )
        else:
            m = read_manifest(folder) or {}
            raise IndexStateError(
                f"the search index is older than the store {store.path} "
                f"(index: {m.get('store_fingerprint')}; store: {store.fingerprint()})",
                hint=f"Run `labscout index{where}` (only new works are embedded), "
                "or pass --reindex.",
            )
    manifest = read_manifest(folder)
    assert manifest is not None
    if embedder is not None and manifest["embedder"]["name"] != _resolve(embedder):
        raise IndexStateError(
            f"the index was built with the embedder {manifest['embedder']['name']}, not {embedder}",
            hint=f"Run `labscout index --embedder {embedder}{where}` to rebuild it.",
        )
    return SearchIndex(folder, manifest)
