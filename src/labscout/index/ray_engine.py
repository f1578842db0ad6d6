"""`labscout index --engine ray`: embed the works with Ray Data, locally or on a cluster.

The plain path (:func:`labscout.index.build.build_index`) embeds in this
process, which is right for small stores. This engine hands the embedding to
Ray Data instead:

1. the works that need a vector (their text is not in the embedding cache)
   are exported from the store as Parquet files of ``work_id, text``;
2. ``ray.data.read_parquet`` reads them, ``map_batches`` runs a pool of
   actors that each load the embedder once (one GPU an actor when the
   cluster has GPUs, else CPU actors), and ``write_parquet`` writes the
   shards of ``work_id, vector`` (a fixed-size list of float32);
3. the shards are read back into the embedding cache, and the plain build
   then finds every vector there: it writes the embedding file and builds
   the BM25 and vector indexes (and the manifest) exactly as without Ray.

With no address a local Ray is started on this machine (and stopped after);
``--ray-address auto`` (or ``ray://host:10001``) joins a running cluster,
whose workers need labscout installed. Ray is the optional extra ``scale``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from labscout.errors import MissingExtraError
from labscout.progress import Progress, SilentProgress
from labscout.store import Store

ROWS_PER_EXPORT_FILE = 20_000


def ray_module():
    """``ray`` with Ray Data, or :class:`MissingExtraError` with the install hint."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise MissingExtraError("scale", "ray[data]") from None
    return ray


@dataclass(frozen=True)
class RayEmbedReport:
    """What the Ray stage did (the build that follows has its own report)."""

    n_works: int
    n_embedded: int
    n_cached: int
    shards: str
    workers: int
    use_gpu: bool
    address: str | None
    seconds: float

    def summary(self) -> str:
        where = f"the Ray cluster at {self.address}" if self.address else "a local Ray"
        unit = "GPU" if self.use_gpu else "CPU"
        return (
            f"ray: {self.n_embedded:,} texts embedded on {where} ({self.workers} {unit} "
            f"worker(s)), {self.n_cached:,} found in the cache, {self.seconds:.1f}s"
        )


class _EmbedActor:
    """One Ray actor: loads the embedder once, embeds a batch of texts a call."""

    def __init__(self, name: str, cache_dir: str | None, batch_size: int) -> None:
        from labscout.index.embedders import get_embedder

        self.embedder = get_embedder(name, cache_dir)
        self.batch_size = batch_size

    def __call__(self, batch: pa.Table) -> pa.Table:
        texts = batch.column("text").to_pylist()
        vecs = np.ascontiguousarray(
            self.embedder.embed(texts, batch_size=self.batch_size), dtype=np.float32
        )
        flat = pa.array(vecs.reshape(-1), type=pa.float32())
        vectors = pa.FixedSizeListArray.from_arrays(flat, vecs.shape[1])
        return pa.table({"work_id": batch.column("work_id"), "vector": vectors})


def export_texts(work_ids: list[str], texts: list[str], folder: Path) -> int:
    """Write ``work_id, text`` Parquet files (the input of the Ray stage); return the files."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for start in range(0, len(work_ids), ROWS_PER_EXPORT_FILE):
        table = pa.table(
            {
                "work_id": work_ids[start : start + ROWS_PER_EXPORT_FILE],
                "text": texts[start : start + ROWS_PER_EXPORT_FILE],
            }
        )
        pq.write_table(table, folder / f"works_{n:05d}.parquet")
        n += 1
    return n


def read_shards(folder: Path) -> tuple[list[str], np.ndarray]:
    """The ``work_id`` column and the vectors (one row each) of the shards in ``folder``."""
    table = pq.read_table(folder)
    ids = table.column("work_id").to_pylist()
    col = table.column("vector").combine_chunks()
    if len(col) == 0:
        return ids, np.zeros((0, 0), np.float32)
    dim = col.type.list_size
    vecs = col.flatten().to_numpy(zero_copy_only=False).astype(np.float32).reshape(-1, dim)
    return ids, vecs


def embed_parquet_with_ray(
    source: Path,
    shards: Path,
    embedder: str,
    *,
    address: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    batch_size: int = 256,
    workers: int | None = None,
) -> tuple[int, bool]:
    """Embed the ``work_id, text`` Parquet files under ``source`` into shards under ``shards``.

    Returns ``(workers, use_gpu)``. Starts a local Ray when none is running
    and ``address`` is None (and stops it after); joins ``address`` otherwise.
    """
    ray = ray_module()
    started = False
    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(
                num_cpus=os.cpu_count() or 1,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
        started = True
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        resources = ray.cluster_resources()
        gpus = int(resources.get("GPU", 0))
        use_gpu = gpus > 0
        if workers is None:
            workers = gpus if use_gpu else max(1, int(resources.get("CPU", 1)) - 1)
        ds = ray.data.read_parquet(str(source))
        out = ds.map_batches(
            _EmbedActor,
            fn_constructor_kwargs={
                "name": embedder,
                "cache_dir": str(cache_dir) if cache_dir else None,
                "batch_size": 64,
            },
            batch_size=batch_size,
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_gpus=1 if use_gpu else 0,
            num_cpus=0 if use_gpu else 1,
        )
        if shards.exists():
            shutil.rmtree(shards)
        out.write_parquet(str(shards))
    finally:
        if started:
            ray.shutdown()
    return workers, use_gpu


def build_index_ray(
    store: Store,
    path: str | os.PathLike[str] | None = None,
    embedder: str | None = None,
    *,
    address: str | None = None,
    full: bool = False,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    default_embedder: str | None = None,
    batch_size: int = 256,
    workers: int | None = None,
    keep_shards: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    **build_kwargs: Any,
):
    """Build the indexes of ``store`` as :func:`build_index` does, embedding with Ray Data.

    Returns ``(IndexReport, RayEmbedReport)``. The vectors reach the build
    through the embedding cache in ``cache_dir``; with ``cache=False`` a
    temporary one is used and dropped. ``keep_shards`` names a folder to keep
    the Parquet shards in (a temporary folder otherwise).
    """
    if not cache:
        with tempfile.TemporaryDirectory(prefix="labscout-ray-cache-") as tmp_cache:
            return build_index_ray(
                store, path, embedder, address=address, full=full, cache=True,
                cache_dir=tmp_cache, default_embedder=default_embedder, batch_size=batch_size,
                workers=workers, keep_shards=keep_shards, progress=progress, **build_kwargs,
            )  # fmt: skip
    ray_module()  # fail early, with the install hint
    from labscout.index.build import build_index, index_path_for, read_manifest, work_text
    from labscout.index.cache import EmbeddingCache
    from labscout.index.embedders import get_embedder
    from labscout.settings import Settings

    t0 = time.perf_counter()
    progress = progress or SilentProgress()
    folder = Path(path) if path is not None else index_path_for(store)
    if embedder is None:
        old = None if full else read_manifest(folder)
        embedder = (
            old["embedder"]["name"] if old else (default_embedder or Settings.load().embedder)
        )
    emb = get_embedder(embedder, cache_dir)
    rows = store.work_texts()
    texts = {wid: work_text(title, abstract) for wid, title, abstract in rows}
    todo_ids: list[str] = []
    with EmbeddingCache(cache_dir) as cache:
        items = [(w, t) for w, t in texts.items() if t.strip()]
        found = cache.get_many(emb.cache_key, [t for _, t in items], emb.dim)
        seen: set[str] = set()
        for i, (wid, text) in enumerate(items):
            if i not in found and text not in seen:
                seen.add(text)
                todo_ids.append(wid)
        workers_used, use_gpu = workers or 0, False
        with tempfile.TemporaryDirectory(prefix="labscout-ray-") as tmp:
            shards = Path(keep_shards) if keep_shards else Path(tmp) / "shards"
            if todo_ids:
                export_texts(todo_ids, [texts[w] for w in todo_ids], Path(tmp) / "export")
                with progress.task(f"embed with Ray ({emb.name})", total=len(todo_ids)) as bar:
                    workers_used, use_gpu = embed_parquet_with_ray(
                        Path(tmp) / "export",
                        shards,
                        emb.name,
                        address=address,
                        cache_dir=cache_dir,
                        batch_size=batch_size,
                        workers=workers,
                    )
                    ids, vecs = read_shards(shards)
                    cache.put_many(emb.cache_key, [texts[w] for w in ids], vecs)
                    bar.advance(len(ids))
        ray_report = RayEmbedReport(
            n_works=len(texts),
            n_embedded=len(todo_ids),
            n_cached=len(found),
            shards=str(shards) if keep_shards else "",
            workers=workers_used,
            use_gpu=use_gpu,
            address=address,
            seconds=time.perf_counter() - t0,
        )
    report = build_index(
        store,
        folder,
        embedder=emb.name,
        full=full,
        cache=True,
        cache_dir=cache_dir,
        progress=progress,
        **build_kwargs,
    )
    return report, ray_report
