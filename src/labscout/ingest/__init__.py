"""Ingest: read a source's records and write them to the store, resumably.

Every source has one shape, a :class:`Source` (``source.py``: its inputs,
their resume keys, the items of one input with their line numbers), read by
one :func:`ingest` (``pipeline.py``: skip what is finished, resume the rest,
merge works already stored (``merging.py``, ``matching.py``), write in
batches, report). One module a source (``openalex.py``, ``openalex_api.py``,
``snapshot.py``, ``dblp.py``, ``arxiv.py``, ``s2.py``, ``openreview.py``,
``paperlists.py``, ``table.py``) defines its Source and a function that runs
it; ``identity.py`` and ``identity_links.py`` link one person's records
across sources. SQL beyond writing records is in :mod:`labscout.store.ingest_sql`.

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
