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
from urllib.parse import urlparse

from labscout.errors import MissingExtraError
from labscout.records import Author, Authorship, Institution, Rejected, Work
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
def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(",") if w.strip())


# A company named in an affiliation, matched as a whole word in the name.
COMPANY_NAMES = _words(
    "google, deepmind, meta, facebook, microsoft, nvidia, ibm, amazon, aws, apple, "
    "openai, anthropic, baidu, alibaba, tencent, huawei, bytedance, samsung, sony, "
    "adobe, intel, salesforce, uber, twitter, netflix, yahoo, xerox, at&t, bell labs, "
    "nec, fujitsu, hitachi, toshiba, siemens, bosch, qualcomm, sensetime, megvii, "
    "didi, kuaishou, naver, kakao, yandex, snap, linkedin, criteo, element ai, "
    "preferred networks, disney, spotify, pinterest, airbnb, jd.com, ant group, "
    "ant financial, meituan, xiaomi, lenovo, oppo, vivo, zte, ping an, iflytek, "
    "noah's ark, mitsubishi, panasonic, ntt, toyota, honda, volkswagen, nokia, "
    "ericsson, oracle, sap, cisco, hewlett, hp labs, dell, walmart, ebay, paypal, "
    "visa, jp morgan, jpmorgan, goldman sachs, bloomberg, two sigma, citadel, cohere, "
    "hugging face, huggingface, jd, sberbank, cyberagent, mistral, stability ai, "
    "waymo, tesla, zoox"
)
# A company's web domain (the host ends with one of these).
COMPANY_DOMAINS = _words(
    "google.com, research.google, ai.google, deepmind.com, deepmind.google, fb.com, "
    "facebook.com, meta.com, meta.ai, microsoft.com, nvidia.com, ibm.com, amazon.com, "
    "amazon.science, apple.com, openai.com, baidu.com, alibaba-inc.com, tencent.com, "
    "huawei.com, bytedance.com, samsung.com, sony.com, adobe.com, intel.com, "
    "salesforce.com, uber.com, twitter.com, netflix.com, yahoo-inc.com"
)
_EDUCATION_WORDS = re.compile(
    r"universit|college|école|ecole|school|polytechn|politecnic|hochschule|"
    r"institute of technology|institut of technology|\beth\b|\bepfl\b|\bkaist\b|\bmit\b|"
    r"\bucl\b|\bucla\b|\bnyu\b|\bcmu\b|\bkth\b|\biit\b|technion|sorbonne|\blmu\b|"
    r"institute of science|institute of information technology|technological institute|"
    r"courant institute|paristech|t[eé]l[eé]com paris|centralesup|eurecom|\bku leuven\b",
    re.IGNORECASE,
)
# universities whose names contain a company's name
_EDUCATION_FIRST = re.compile(r"toyota technological institute", re.IGNORECASE)
_HEALTH_WORDS = re.compile(r"hospital|medical cent|clinic|health system", re.IGNORECASE)
_FACILITY_WORDS = re.compile(
    r"institute|institut|laborator|\blab\b|\blabs\b|research cent|academy of sciences|"
    r"max planck|\binria\b|\bcnrs\b|\bcsiro\b|\bdfki\b|\briken\b|\bcnr\b|\bmila\b|\bvector\b|"
    r"istituto|fondazione|centrum|cent(er|re) for|centre national|research organi[sz]ation|"
    r"agency|council|helmholtz|academy|\bcifar\b|\bnicta\b|data61",
    re.IGNORECASE,
)
_COMPANY_SUFFIX = re.compile(
    r"\b(inc|ltd|llc|corp|corporation|gmbh|co\.|company|limited|plc|s\.a\.|ag)\b\.?",
    re.IGNORECASE,
)
_COMPANY_NAME_RE = re.compile(
    r"(?<![\w&.])(" + "|".join(re.escape(n) for n in COMPANY_NAMES) + r")(?![\w&])",
    re.IGNORECASE,
)


@lru_cache(maxsize=262_144)
def domain_of(url: str | None) -> str | None:
    """``"http://www.nju.edu.cn"`` -> ``"nju.edu.cn"``; None when there is no host."""
    if not url or not url.strip():
        return None
    url = url.strip()
    host = urlparse(url if "//" in url else "//" + url).hostname or ""
    host = host.lower().removeprefix("www.").strip(".")
    return host if "." in host else None


@lru_cache(maxsize=262_144)
def guess_institution_type(name: str, domain: str | None = None) -> tuple[str | None, str]:
    """An OpenAlex institution type for ``name`` (and its web ``domain``), with the rule used.

    The first rule that matches decides (docs/sources.md lists them):

    1. a known company named in the name or owning the domain -> ``company``;
    2. a university word (university, college, école, polytechnic, institute of
       technology, ETH, EPFL, ...) -> ``education``;
    3. hospital, medical center, clinic -> ``healthcare``;
    4. a ``.gov`` domain -> ``government``;
    5. institute, laboratory, research center, academy of sciences, Max Planck,
       INRIA, CNRS, ... -> ``facility``;
    6. a company suffix (Inc, Ltd, LLC, Corp, GmbH, Company, ...) -> ``company``;
    7. the domain alone: ``.edu``/``.edu.xx``/``.ac.xx`` -> ``education``,
       ``.com``/``.ai``/``.io`` -> ``company``, ``.org`` -> ``nonprofit``;
    8. otherwise unknown (None).
    """
    host = (domain or "").lower()
    labels = host.split(".") if host else []
    if _EDUCATION_FIRST.search(name):
        return "education", "university word in name"
    if _COMPANY_NAME_RE.search(name) or any(
        host == d or host.endswith("." + d) for d in COMPANY_DOMAINS
    ):
        return "company", "known company"
    if _EDUCATION_WORDS.search(name):
        return "education", "university word in name"
    if _HEALTH_WORDS.search(name):
        return "healthcare", "hospital word in name"
    if "gov" in labels[-2:]:
        return "government", ".gov domain"
    if _FACILITY_WORDS.search(name):
        return "facility", "institute or laboratory word in name"
    if _COMPANY_SUFFIX.search(name):
        return "company", "company suffix in name"
    if labels:
        if labels[-1] == "edu" or (len(labels) > 2 and labels[-2] in ("edu", "ac")):
            return "education", "academic domain"
        if labels[-1] in ("com", "ai", "io"):
            return "company", "commercial domain"
        if labels[-1] == "org":
            return "nonprofit", ".org domain"
    return None, "no rule matched"


# names that stand for "no institution" in the lists
PLACEHOLDER_INSTITUTIONS = {
    "",
    "unknown-institution",
    "university-affiliation-not-specified",
    "unknown",
}

_COUNTRY_ALIASES = {"russia": "RU", "macau": "MO", "macao": "MO", "korea": "KR", "uk": "GB"}


@lru_cache(maxsize=1024)
def country_code(name: str | None) -> str | None:
    """ISO 3166 alpha-2 code for a country name (pycountry), or None when unknown."""
    if not name or not name.strip() or name.strip().lower() in ("unknown", "n/a"):
        return None
    try:
        import pycountry
    except ImportError:
        raise MissingExtraError("sources", "pycountry") from None
    key = name.strip()
    alias = _COUNTRY_ALIASES.get(key.lower())
    if alias:
        return alias
    try:
        return pycountry.countries.lookup(key).alpha_2
    except LookupError:
        pass
    try:
        found = pycountry.countries.search_fuzzy(key)
    except LookupError:
        return None
    return found[0].alpha_2 if found else None


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
    urls = _split(d.get("aff_unique_url"))
    countries = _split(d.get("aff_country_unique"))
    try:
        aff_index = align_affiliations(
            len(raw_names), len(names), d.get("aff_unique_index"), len(norms)
        )
    except AlignmentError as exc:
        aff_index = None
        dropped = Dropped(location, position, f"affiliations left out: {exc}")
    # country of each institution index, read through the parallel country index
    inst_country: dict[int, str | None] = {}
    if aff_index is not None:
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

    institutions: dict[str, Institution] = {}
    inst_ids_at: dict[int, str | None] = {}
    for i, name in enumerate(norms):
        name = " ".join(name.split())
        iid = institution_id(name)
        if not iid or normalize_name(name) in PLACEHOLDER_INSTITUTIONS:
            inst_ids_at[i] = None
            continue
        domain = domain_of(urls[i]) if len(urls) == len(norms) else None
        kind, _rule = guess_institution_type(name, domain)
        inst_ids_at[i] = iid
        if aff_index is not None:
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

    raw_affs = _split(d.get("aff"))
    aligned_raw = raw_affs if len(raw_affs) == len(raw_names) else None
    keep = [k for k, n in enumerate(raw_names) if n]
    by_slot = aff_index is not None and len(aff_index) == len(raw_names)
    pos = positions(len(names))
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

    work = _work(d, lf, title, location, position, tuple(authorships))
    records = [work, *authors.values(), *institutions.values()]
    return (records, dropped) if dropped else records


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
        parsed = parse_paper(data, lf, location, position, known)
        if isinstance(parsed, Rejected):
            yield parsed
        elif isinstance(parsed, tuple):
            yield position, parsed[0], parsed[1]
        else:
            yield position, parsed
