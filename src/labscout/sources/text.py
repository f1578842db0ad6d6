"""Text as sources give it, made plain once, when a record is built.

OpenAlex (and some paper lists) carry HTML entities in titles, venue and institution
names ("Transactions on Knowledge &amp; Data Engineering"). They are decoded here, at
ingest, so the store, the indexes, the JSON and the pages all see the character.
"""

from __future__ import annotations

from html import unescape


def plain(value: str | None) -> str | None:
    """``value`` with its HTML entities decoded (``&amp;`` -> ``&``); ``None`` stays."""
    if not value or "&" not in value:
        return value
    return unescape(value)
