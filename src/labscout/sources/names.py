"""Names and titles reduced to keys for comparison (no store, no I/O).

Sources use them to place a person on a paper (OpenReview, Semantic
Scholar); ingest uses them to match works (:mod:`labscout.ingest.matching`)
and people (:mod:`labscout.ingest.identity`).
"""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    return (
        "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        .replace("ø", "o")
        .replace("ß", "ss")
        .replace("ł", "l")
        .replace("Ø", "O")
        .replace("Ł", "L")
    )


def title_key(title: str | None) -> str:
    """``"Attention Is All You Need."`` -> ``"attentionisallyouneed"``."""
    if not title:
        return ""
    return _NON_ALNUM.sub("", strip_accents(title).lower())


# -- names -----------------------------------------------------------------

_DBLP_SUFFIX = re.compile(r"\s+\d{4}$")


def name_parts(name: str | None) -> tuple[str, str]:
    """``(last name, first names)`` in lower case without accents or DBLP's ``0001``.

    "Last, First" and "First Middle Last" are both understood.
    """
    if not name:
        return "", ""
    n = _DBLP_SUFFIX.sub("", name.strip())
    n = strip_accents(n).lower().replace(".", " ").replace("-", " ")
    if "," in n:
        last, _, first = n.partition(",")
    else:
        bits = n.split()
        if not bits:
            return "", ""
        last, first = bits[-1], " ".join(bits[:-1])
    last = _NON_ALNUM.sub("", last)
    first = _SPACES.sub(" ", re.sub(r"[^a-z ]", "", first)).strip()
    return last, first


def name_key(name: str | None) -> str:
    """Blocking key: last name plus first initial (``"wang w"``)."""
    last, first = name_parts(name)
    return f"{last} {first[:1]}".strip()


def names_compatible(a: str | None, b: str | None) -> bool:
    """Same last name, and first names that agree as far as both go.

    "Y. Bengio" ~ "Yoshua Bengio"; "Wei Wang" !~ "Wen Wang"; "J. Smith" !~ "K. Smith".
    """
    la, fa = name_parts(a)
    lb, fb = name_parts(b)
    if not la or la != lb:
        return False
    ta, tb = fa.split(), fb.split()
    if not ta or not tb:
        return True
    for x, y in zip(ta, tb, strict=False):
        if len(x) == 1 or len(y) == 1:
            if x[0] != y[0]:
                return False
        elif x != y:
            return False
    return True
