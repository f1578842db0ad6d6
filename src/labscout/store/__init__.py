"""The DuckDB store: the only place records are kept, and the hand-off between stages."""

from labscout.store.store import Batch, Store, WriteCounts

__all__ = ["Batch", "Store", "WriteCounts"]
