"""Ingest: read a source's records and write them to the store, resumably.

The public entry points return an :class:`IngestReport`.
"""

from labscout.ingest.arxiv import arxiv_oai, arxiv_snapshot
from labscout.ingest.dblp import dblp_xml
from labscout.ingest.identity import identities, resolve_identities, split_author
from labscout.ingest.openalex import openalex_files
from labscout.ingest.openalex_api import openalex_api
from labscout.ingest.openreview import openreview_archives
from labscout.ingest.paperlists import paperlists
from labscout.ingest.pipeline import Checkpoint, ingest, run_ingest
from labscout.ingest.report import IngestReport
from labscout.ingest.s2 import s2_files
from labscout.ingest.snapshot import openalex_snapshot
from labscout.ingest.source import BaseSource, Input, Item, Resume, Source, resume_key
from labscout.ingest.table import table

__all__ = [
    "BaseSource",
    "Checkpoint",
    "IngestReport",
    "Input",
    "Item",
    "Resume",
    "Source",
    "arxiv_oai",
    "arxiv_snapshot",
    "dblp_xml",
    "identities",
    "ingest",
    "openalex_api",
    "openalex_files",
    "openalex_snapshot",
    "openreview_archives",
    "paperlists",
    "resolve_identities",
    "resume_key",
    "run_ingest",
    "s2_files",
    "split_author",
    "table",
]
