"""Ingest: read a source's records and write them to the store, resumably.

The public entry points return an :class:`IngestReport`.
"""

from labscout.ingest.openalex import openalex_files
from labscout.ingest.openalex_api import openalex_api
from labscout.ingest.pipeline import Checkpoint, IngestReport, run_ingest

__all__ = ["Checkpoint", "IngestReport", "openalex_api", "openalex_files", "run_ingest"]
