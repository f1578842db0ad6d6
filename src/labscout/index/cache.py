"""An on-disk cache of embeddings keyed by (model, hash of the text).

Nothing is embedded twice: not across versions of a data set, not across
stores, not across runs. One SQLite file (stdlib, safe for several processes
at once, unlike a DuckDB file which one writer locks) holds float32 rows as
blobs; the key is a 128-bit BLAKE2b hash of the text, and the model key names
the embedder and every parameter that changes its vectors (e.g. truncation).

The default location is ``$LABSCOUT_CACHE_DIR``, else
``$XDG_CACHE_HOME/labscout``, else ``~/.cache/labscout``; the setting
``cache_dir`` (flag, env or TOML) overrides it.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from labscout.errors import ConfigError

CACHE_FILE = "embeddings.sqlite"
_CHUNK = 500  # keys per SELECT ... IN (...)


def default_cache_dir() -> Path:
    """Where labscout keeps caches (embeddings, distilled models) unless told otherwise."""
    env = os.environ.get("LABSCOUT_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "labscout"


def text_key(text: str) -> bytes:
    """The 16-byte key of a text."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class EmbeddingCache:
    """Float32 vectors by (model key, text hash), in one SQLite file.

    Use as a context manager or call :meth:`close`. ``path`` may be a folder
    (the file ``embeddings.sqlite`` inside it is used) or a file name.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        p = Path(path).expanduser() if path is not None else default_cache_dir()
        if p.suffix not in {".sqlite", ".db"}:
            p = p / CACHE_FILE
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(p, timeout=60)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS vectors ("
                " model TEXT NOT NULL, key BLOB NOT NULL, vec BLOB NOT NULL,"
                " PRIMARY KEY (model, key)) WITHOUT ROWID"
            )
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(
                f"cannot open the embedding cache at {p}: {exc}",
                hint="Set another folder with --cache-dir or $LABSCOUT_CACHE_DIR.",
            ) from None
        self.path = p

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def get_many(self, model: str, texts: Sequence[str], dim: int) -> dict[int, np.ndarray]:
        """Cached vectors of ``texts`` by position (texts not cached are absent)."""
        keys = [text_key(t) for t in texts]
        where: dict[bytes, list[int]] = {}
        for i, k in enumerate(keys):
            where.setdefault(k, []).append(i)
        found: dict[int, np.ndarray] = {}
        unique = list(where)
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, vec FROM vectors WHERE model = ? AND key IN ({marks})",
                [model, *chunk],
            )
            for key, blob in rows:
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.shape[0] != dim:
                    continue  # a different model under the same name: embed again
                for i in where[key]:
                    found[i] = vec
        return found

    def put_many(self, model: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store the rows of ``vectors`` for ``texts`` (replacing what was there)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        rows = [(model, text_key(t), vectors[i].tobytes()) for i, t in enumerate(texts)]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)

    def count(self, model: str | None = None) -> int:
        if model is None:
            return int(self._db.execute("SELECT count(*) FROM vectors").fetchone()[0])
        q = "SELECT count(*) FROM vectors WHERE model = ?"
        return int(self._db.execute(q, [model]).fetchone()[0])

    def models(self) -> dict[str, int]:
        """Model key -> number of cached vectors."""
        q = "SELECT model, count(*) FROM vectors GROUP BY model ORDER BY model"
        return {m: int(n) for m, n in self._db.execute(q)}

    def clear(self, model: str | None = None) -> int:
        """Drop the vectors of ``model`` (or all); returns how many went."""
        with self._db:
            if model is None:
                cur = self._db.execute("DELETE FROM vectors")
            else:
                cur = self._db.execute("DELETE FROM vectors WHERE model = ?", [model])
        return cur.rowcount
