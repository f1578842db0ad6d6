"""Conference paper lists in the Paper Copilot format (papercopilot/paperlists) into records.

One file is one venue and year (``nips/nips2018.json.gz``): a JSON list of
papers. The fields this module reads:

- ``title``, ``abstract``, ``author`` (names joined by ``;``; a few old lists
  join them by ``,``), ``status`` (Poster, Oral, Reject, ...), ``track``,
  ``id``, ``doi``, ``arxiv``, ``site``, ``gs_citation`` (Google Scholar's
  cited-by figure; ``-1`` when unknown);
- ``aff_unique_index``: one entry per author, ``;``-separated, each an index
  into ``aff_unique_norm`` (the normalised institution names) and
  ``aff_unique_url``; ``+`` joins two affiliations of one author
  (``0+1;0;2``); an empty entry is an author without an affiliation;
- ``aff_country_unique_index``: the same shape as ``aff_unique_index``, each
  index into ``aff_country_unique`` (country names);
- ``aff``: the raw affiliation strings, one per author, ``;``-separated.

Works get the id ``paperlists:<file stem>:<paper id>``; authors are known by
name only, so they get ``paperlists:<normalised name>`` (the identity rules
merge them with other sources); institutions get
``paperlists:inst:<normalised name>``, with a country code and a type guessed
by :func:`guess_institution_type`.

A paper without a title or without authors is a :class:`Rejected`. A paper
whose affiliations do not line up with its authors (or point outside the
lists) is kept without institutions, and a :class:`Dropped` says what was left
out and where.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from labscout.records import Author, Authorship, Institution, Rejected, Work
from labscout.sources.guard import parsed as guarded
from labscout.sources.institution_types import country_code, domain_of, guess_institution_type
from labscout.sources.jsonfiles import iter_json_records
from labscout.sources.openalex import normalize_doi

SOURCE = "paperlists"

# venue folder / file prefix -> display name (others are upper-cased)
VENUES = {
    "nips": "NeurIPS",
    "neurips": "NeurIPS",
    "automl": "AutoML",
    "colm": "COLM",
    "www": "WWW",
    "coling": "COLING",
}


@dataclass(frozen=True, slots=True)
class Dropped:
    """Part of a record left out (its affiliations, say) while the record itself was kept."""

    location: str
    line: int | None
    reason: str


# -- names -------------------------------------------------------------------
@lru_cache(maxsize=262_144)
def normalize_name(name: str) -> str:
    """A person's or institution's name as a key: no accents, lower case, words joined by ``-``.

    ``"Zhi-Hua  Zhou"`` and ``"Zhi Hua Zhou"`` both give ``zhi-hua-zhou``;
    ``"Université Paris-Saclay"`` gives ``universite-paris-saclay``.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return "-".join(re.findall(r"[^\W_]+", text))


def author_id(name: str, source: str = SOURCE) -> str | None:
    key = normalize_name(name)
    return f"{source}:{key}" if key else None


def institution_id(name: str, source: str = SOURCE) -> str | None:
    key = normalize_name(name)
    return f"{source}:inst:{key}" if key else None


def split_authors(value: str | None, sep: str = ";") -> list[str]:
    """Author names in order; empty slots (``"A;; B"``) are kept as ``""`` to keep alignment."""
    if not value or not value.strip():
        return []
    if sep == ";" and ";" not in value and "," in value:
        sep = ","  # a few old lists join names by commas
    return [" ".join(part.split()) for part in value.split(sep)]


def positions(n: int) -> list[str]:
    """OpenAlex's author_position for each of ``n`` authors in order."""
    if n <= 0:
        return []
    if n == 1:
        return ["first"]
    return ["first"] + ["middle"] * (n - 2) + ["last"]


# -- institutions ------------------------------------------------------------
# names that stand for "no institution" in the lists (as normalize_name gives them): an
# author listed at "Personal" or "Independent Researcher" is at no place, and a place
# named so would be ranked on the ladder and offered as a plan target
PLACEHOLDER_INSTITUTIONS = {
    "",
    "unknown-institution",
    "university-affiliation-not-specified",
    "unknown",
    "personal",
    "independent",
    "independent-researcher",
    "independent-scholar",
    "unaffiliated",
    "no-affiliation",
    "none",
    "n-a",
    "na",
    "not-applicable",
    "self",
    "self-employed",
}


def is_placeholder(name: str) -> bool:
    """Whether an affiliation name stands for no institution ("Personal", "N/A",
    "Independent Researcher", "Unknown Institution", empty ...)."""
    return normalize_name(name) in PLACEHOLDER_INSTITUTIONS


# -- alignment ----------------------------------------------------------------
class AlignmentError(ValueError):
    """Affiliation indexes that do not line up with the authors or the lists."""


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    text = str(value)
    return text.split(";") if text != "" else []


def align_affiliations(
    n_authors_raw: int, n_authors: int, index: str | None, n_targets: int
) -> list[list[int]] | None:
    """Each author's affiliation indexes (``"0+1;0;"`` -> ``[[0, 1], [0], []]``).

    ``index`` must have one entry per author: per raw author slot (empty names
    included) or per named author. Returns None when there is no index at all;
    raises :class:`AlignmentError` when it does not line up or points outside
    the ``n_targets`` entries of the list it indexes.
    """
    if index is None or str(index).strip(" ;") == "":
        return None
    parts = _split(index)
    if len(parts) not in (n_authors_raw, n_authors):
        raise AlignmentError(f"{len(parts)} affiliation entries for {n_authors} authors")
    out: list[list[int]] = []
    for part in parts:
        slots = []
        for piece in part.split("+"):
            piece = piece.strip()
            if not piece:
                continue
            if not piece.isdigit():
                raise AlignmentError(f"affiliation index {piece!r} is not a number")
            i = int(piece)
            if i >= n_targets:
                raise AlignmentError(f"affiliation index {i} out of range ({n_targets} listed)")
            slots.append(i)
        out.append(slots)
    return out


def _int_or_none(value: Any) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if n >= 0 else None


# -- one file ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ListFile:
    """What a file's name says: venue, year and the stem used in ids."""

    path: Path
    stem: str
    venue: str
    year: int | None

    @classmethod
    def from_path(cls, path: Path) -> ListFile:
        stem = path.name.split(".")[0]
        m = re.match(r"^([a-zA-Z_-]+?)[_-]?(\d{4})$", stem)
        prefix, year = (m.group(1), int(m.group(2))) if m else (stem, None)
        venue = VENUES.get(prefix.lower(), prefix.upper())
        return cls(path=path, stem=stem, venue=venue, year=year)


def _work_id(lf: ListFile, d: dict[str, Any], title: str) -> str:
    rid = str(d.get("id") or "").strip()
    if not rid:
        rid = "t" + hashlib.sha1(normalize_name(title).encode()).hexdigest()[:12]
    return f"{SOURCE}:{lf.stem}:{rid}"


def parse_paper(
    d: Any,
    lf: ListFile,
    location: str,
    position: int,
    known: dict[str, Institution] | None = None,
) -> list | Rejected | tuple[list, Dropped]:
    """One paper: ``[Work, Author..., Institution...]``, or why it was rejected.

    ``known`` holds the institutions already yielded (by id): an institution
    is yielded again only when this paper adds a country or a type it lacked,
    so a paper without countries never erases one learnt from another paper.

    When the affiliations do not line up, the paper is kept without them and
    returned as ``(records, Dropped)``.
    """
    if not isinstance(d, dict):
        return Rejected(location, position, f"expected a JSON object, got {type(d).__name__}")
    title = " ".join(str(d.get("title") or "").split())
    if not title:
        return Rejected(location, position, "paper without a title")
    raw_names = split_authors(d.get("author"))
    names = [n for n in raw_names if n]
    if not names:
        return Rejected(location, position, "paper without authors")
    dropped: Dropped | None = None

    norms = _split(d.get("aff_unique_norm"))
    try:
        aff_index = align_affiliations(
            len(raw_names), len(names), d.get("aff_unique_index"), len(norms)
        )
    except AlignmentError as exc:
        aff_index = None
        dropped = Dropped(location, position, f"affiliations left out: {exc}")
    inst_country = (
        _countries(d, raw_names, names, aff_index, len(norms)) if aff_index is not None else {}
    )
    institutions, inst_ids_at = _institutions(
        norms, _split(d.get("aff_unique_url")), inst_country, aff_index is not None, known
    )
    authorships, authors = _authorships(d, raw_names, aff_index, inst_ids_at)
    work = _work(d, lf, title, location, position, tuple(authorships))
    records = [work, *authors, *institutions.values()]
    return (records, dropped) if dropped else records


def _countries(
    d: dict[str, Any],
    raw_names: list[str],
    names: list[str],
    aff_index: list[list[int]],
    n_norms: int,
) -> dict[int, str | None]:
    """The country of each institution index, read through the parallel country index."""
    countries = _split(d.get("aff_country_unique"))
    inst_country: dict[int, str | None] = {}
    try:
        c_index = align_affiliations(
            len(raw_names), len(names), d.get("aff_country_unique_index"), len(countries)
        )
    except AlignmentError:
        c_index = None  # countries are a bonus: a paper keeps its institutions without them
    if c_index is not None and len(c_index) == len(aff_index):
        for insts, ctrs in zip(aff_index, c_index, strict=True):
            if len(insts) == len(ctrs):
                for i, c in zip(insts, ctrs, strict=True):
                    code = country_code(countries[c])
                    if code:
                        inst_country.setdefault(i, code)
    return inst_country


def _institutions(
    norms: list[str],
    urls: list[str],
    inst_country: dict[int, str | None],
    aligned: bool,
    known: dict[str, Institution] | None,
) -> tuple[dict[str, Institution], dict[int, str | None]]:
    """The institutions to yield (only when the affiliations are ``aligned``), and the
    institution id at each index of ``norms`` (None for placeholders)."""
    institutions: dict[str, Institution] = {}
    inst_ids_at: dict[int, str | None] = {}
    for i, name in enumerate(norms):
        name = " ".join(name.split())
        iid = institution_id(name)
        if not iid or is_placeholder(name):
            inst_ids_at[i] = None
            continue
        domain = domain_of(urls[i]) if len(urls) == len(norms) else None
        kind, _rule = guess_institution_type(name, domain)
        inst_ids_at[i] = iid
        if aligned:
            inst = _learn(
                known,
                Institution(
                    id=iid,
                    display_name=name,
                    country_code=inst_country.get(i),
                    type=kind,
                    source=SOURCE,
                ),
            )
            if inst is not None:
                institutions[iid] = inst
    return institutions, inst_ids_at


def _authorships(
    d: dict[str, Any],
    raw_names: list[str],
    aff_index: list[list[int]] | None,
    inst_ids_at: dict[int, str | None],
) -> tuple[list[Authorship], list[Author]]:
    """The paper's authorships (with their institutions) and its authors, in order."""
    raw_affs = _split(d.get("aff"))
    aligned_raw = raw_affs if len(raw_affs) == len(raw_names) else None
    keep = [k for k, n in enumerate(raw_names) if n]
    by_slot = aff_index is not None and len(aff_index) == len(raw_names)
    pos = positions(len(keep))
    authorships = []
    authors: dict[str, Author] = {}
    for j, k in enumerate(keep):
        name = raw_names[k]
        aid = author_id(name)
        if aid is None:
            continue
        inst_ids: tuple[str, ...] = ()
        if aff_index is not None:
            slots = aff_index[k] if by_slot else aff_index[j]
            inst_ids = tuple(
                dict.fromkeys(x for x in (inst_ids_at.get(s) for s in slots) if x is not None)
            )
        raw_aff = aligned_raw[k].strip() if aligned_raw else ""
        authorships.append(
            Authorship(
                author_id=aid,
                author_position=pos[j],
                position_index=j,
                raw_author_name=name,
                raw_affiliation_strings=(raw_aff,) if raw_aff else (),
                institution_ids=inst_ids,
            )
        )
        authors.setdefault(aid, Author(id=aid, display_name=name, source=SOURCE))
    return authorships, list(authors.values())


def _work(
    d: dict[str, Any],
    lf: ListFile,
    title: str,
    location: str,
    position: int,
    authorships: tuple[Authorship, ...],
) -> Work:
    wid = _work_id(lf, d, title)
    ids = [("paperlists", wid.removeprefix(f"{SOURCE}:"))]
    arxiv = str(d.get("arxiv") or "").strip()
    if arxiv:
        ids.append(("arxiv", re.sub(r"v\d+$", "", arxiv.rsplit("/abs/", 1)[-1])))
    citations = _int_or_none(d.get("gs_citation"))
    extra: dict[str, Any] = {
        "status": d.get("status") or None,
        "track": d.get("track") or None,
        "file": location,
        "position": position,
    }
    if citations is not None:
        extra["cited_by_source"] = "google_scholar"
        extra["cited_by_link"] = d.get("gs_cited_by_link") or None
    if d.get("site"):
        extra["site"] = d["site"]
    abstract = " ".join(str(d.get("abstract") or "").split()) or None
    return Work(
        id=wid,
        title=title,
        abstract=abstract,
        doi=normalize_doi(str(d["doi"])) if d.get("doi") else None,
        publication_year=lf.year,
        type="article",
        cited_by_count=citations,
        venue=lf.venue,
        authorships=authorships,
        ids=tuple(ids),
        source=SOURCE,
        extra={k: v for k, v in extra.items() if v is not None},
    )


def _learn(known: dict[str, Institution] | None, inst: Institution) -> Institution | None:
    """``inst`` completed with what ``known`` has; None when it adds nothing to it."""
    if known is None:
        return inst
    old = known.get(inst.id)
    if old is None:
        known[inst.id] = inst
        return inst
    country = old.country_code or inst.country_code
    kind = old.type or inst.type
    if (country, kind) == (old.country_code, old.type):
        return None
    known[inst.id] = new = replace(old, country_code=country, type=kind)
    return new


def iter_paperlist(
    path: Path, skip: int = 0, known: dict[str, Institution] | None = None
) -> Iterator[tuple[int, list] | tuple[int, list, Dropped] | Rejected]:
    """``(position, records)`` (or ``(position, records, Dropped)``) for each paper after ``skip``.

    Positions are 1-based item numbers in the file's JSON list. Pass the same
    ``known`` dict across files to keep institutions' countries (see :func:`parse_paper`).
    """
    lf = ListFile.from_path(path)
    location = str(path)
    for item in iter_json_records(path, skip):
        if isinstance(item, Rejected):
            yield item
            continue
        position, data = item
        parsed = guarded(location, position, parse_paper, data, lf, location, position, known)
        if isinstance(parsed, Rejected):
            yield parsed
        elif isinstance(parsed, tuple):
            yield position, parsed[0], parsed[1]
        else:
            yield position, parsed
