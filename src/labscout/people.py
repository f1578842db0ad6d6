"""Who the user means: one resolver for every command that names a person.

:func:`resolve_person` takes any of these forms and gives one :class:`Person`:

- an author id as stored, from any source: ``A5023888391``,
  ``dblp:homepages/b/Bengio``, ``s2:1700325``, ``paperlists:iclr2024:Ada_One``
  (OpenAlex merges are followed);
- an ORCID, bare or as a URL (``0000-0002-1825-0097``,
  ``https://orcid.org/0000-0002-1825-009x``; the check digit ``X`` in either case);
- a profile URL: ``https://openalex.org/A5023888391``,
  ``https://dblp.org/pid/b/Bengio.html``,
  ``https://www.semanticscholar.org/author/Yoshua-Bengio/1751762``,
  ``https://orcid.org/...``;
- a name, matched exactly on the display name or a name variant, with accents,
  case and runs of spaces ignored. A name shared by several people is an
  :class:`~labscout.errors.AmbiguousError` that lists each with id and
  institution: nothing is ever picked silently.

Records that identity links merge (:mod:`labscout.ingest.identity`) are one
person; :func:`person_of` maps author ids to person ids and
:func:`member_ids` gives every record of the people named.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labscout.errors import AmbiguousError, InputError, NotFoundError
from labscout.links import ORCID_ID
from labscout.store import people_reads as R

if TYPE_CHECKING:
    from labscout.store import Store

MAX_LISTED = 10
"""Candidates an AmbiguousError lists at most."""

FORMS_HINT = (
    "Name a person by author id (A5023888391, dblp:homepages/b/Bengio), ORCID "
    "(0000-0002-1825-0097), profile URL (openalex.org, dblp.org/pid, orcid.org) or exact name."
)

# the one ORCID pattern: bare, or an orcid.org URL; the check digit X in either case
_ORCID = re.compile(rf"^(?:(?:https?://)?(?:www\.)?orcid\.org/)?({ORCID_ID})/?$")
_OPENALEX = re.compile(
    r"^(?:(?:https?://)?(?:api\.)?openalex\.org/(?:authors/)?)?([Aa]\d+)/?$"
)
_DBLP = re.compile(
    r"^(?:https?://)?(?:www\.)?dblp\.(?:org|uni-trier\.de)/pid/([^?#]+?)(?:\.html|\.xml)?/?$",
    re.I,
)
_S2 = re.compile(
    r"^(?:https?://)?(?:www\.|api\.)?semanticscholar\.org/(?:graph/v1/)?author/(?:[^/]+/)?(\d+)/?$",
    re.I,
)
# a stored id of another source: scheme:rest, no spaces (dblp:..., s2:..., paperlists:...)
_SOURCE_ID = re.compile(r"^(?!https?:)[a-z0-9-]+:\S+$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Person:
    """One person as the store knows them."""

    id: str
    """The person's id: the record every merged record points to (itself when unmerged)."""
    author_ids: tuple[str, ...]
    """Every stored record of the person, sorted (the person's id among them)."""
    record_id: str
    """The record the reference named (for an ORCID or a name: the fullest one)."""
    display_name: str | None = None
    orcid: str | None = None
    institution: str | None = None
    """The current institution's name, when the store knows one."""
    matched_by: str = "id"
    """How the reference was read: id, orcid, profile or name."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "author_ids": list(self.author_ids),
            "record_id": self.record_id,
            "display_name": self.display_name,
            "orcid": self.orcid,
            "institution": self.institution,
            "matched_by": self.matched_by,
        }


# -- normalisers ---------------------------------------------------------------


def normalize_orcid(value: str | None) -> str | None:
    """The bare upper-case ORCID in ``value`` (bare or an orcid.org URL), else None."""
    if not value:
        return None
    m = _ORCID.match(value.strip())
    return m.group(1).upper() if m else None


def normalize_author_id(value: str | None) -> str | None:
    """An author id in the form the store keeps it: an OpenAlex id or URL becomes
    ``A123``, a DBLP pid URL ``dblp:homepages/<pid>``, a Semantic Scholar author URL
    ``s2:<id>``, and another source's id (``scheme:rest``) stays as it is. None when
    ``value`` does not look like an author id (a name, an ORCID)."""
    v = (value or "").strip()
    if m := _OPENALEX.match(v):
        return m.group(1).upper()
    if m := _DBLP.match(v):
        return f"dblp:homepages/{m.group(1)}"
    if m := _S2.match(v):
        return f"s2:{m.group(1)}"
    if _SOURCE_ID.match(v):
        return v
    return None


def normalize_name(name: str | None) -> str:
    """A name for exact comparison: accents and case dropped, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare.casefold()).strip()


def ref_kind(ref: str) -> str:
    """How :func:`resolve_person` reads ``ref`` before looking at the store:
    ``orcid``, ``profile`` (a URL), ``id`` (an author id's shape) or ``name``. A
    name-shaped reference that is a stored author id is still read as that id."""
    v = ref.strip()
    if _ORCID.match(v):
        return "orcid"
    if "://" in v or v.lower().startswith(("openalex.org", "dblp.", "www.", "orcid.org")):
        return "profile"
    if normalize_author_id(v) is not None:
        return "id"
    return "name"


# -- mapping ---------------------------------------------------------------------


def person_of(store: Store, author_ids: Iterable[str]) -> dict[str, str]:
    """Each author id -> its person's id (itself when no identity link merges it)."""
    ids = list(dict.fromkeys(author_ids))
    merged = R.persons_of(store, ids)
    return {i: merged.get(i, i) for i in ids}


def to_persons(store: Store, author_ids: Iterable[str]) -> list[str]:
    """The person ids of ``author_ids``, in order, without repeats."""
    mapping = person_of(store, author_ids)
    return list(dict.fromkeys(mapping.values()))


def member_ids(store: Store, author_ids: Sequence[str]) -> tuple[str, ...]:
    """Every record of the people behind ``author_ids`` (the ids themselves included), sorted."""
    return tuple(sorted(set(R.person_members(store, author_ids)) | set(author_ids)))


# -- resolving -------------------------------------------------------------------


def resolve_person(store: Store, ref: str) -> Person:
    """The one person ``ref`` names (see the module docs for the forms).

    Raises :class:`InputError` for an empty reference, :class:`NotFoundError`
    (with a hint) when nobody matches, and :class:`AmbiguousError` listing the
    candidates when a name matches several people. The records that carry one
    ORCID are one person, merged or not yet.
    """
    records, matched_by = _records(store, ref)
    return _person(store, records, matched_by)


def resolve_person_id(store: Store, ref: str) -> str:
    """Only the person id of :func:`resolve_person` (no name or institution read):
    for resolving many references at once."""
    records, _ = _records(store, ref)
    return person_of(store, records[:1])[records[0]]


def resolve_people(store: Store, refs: Iterable[str]) -> list[Person]:
    """:func:`resolve_person` for each non-empty reference, without repeated people."""
    out: dict[str, Person] = {}
    for ref in refs:
        if ref and ref.strip():
            p = resolve_person(store, ref)
            out.setdefault(p.id, p)
    return list(out.values())


def _records(store: Store, ref: str) -> tuple[list[str], str]:
    """The stored records ``ref`` names (the leading one first), and how it was read."""
    v = (ref or "").strip()
    if not v:
        raise InputError("no person given", hint=FORMS_HINT)
    if orcid := normalize_orcid(v):
        records = R.authors_with_orcid(store, orcid)
        if not records:
            raise NotFoundError(
                f"no author with ORCID {orcid} in the store",
                hint="Ingest their works first, or name them by author id or exact name.",
            )
        return records, "orcid"
    kind = ref_kind(v)
    stored = store.resolve_id("authors", v)
    if R.author_exists(store, stored):  # any stored id, whatever it looks like
        return [stored], "id"
    aid = normalize_author_id(v)
    if aid is not None:
        aid = store.resolve_id("authors", aid)
        records = [aid] if R.author_exists(store, aid) else []
        if not records and aid.startswith(("dblp:homepages/", "s2:")):
            scheme, value = aid.split(":", 1)
            records = R.authors_with_external_id(
                store, scheme, value.removeprefix("homepages/")
            )[:1]
        if records:
            return records, "profile" if kind == "profile" else "id"
        raise NotFoundError(
            f"no author {v} in the store",
            hint="Check the id, or name the person by ORCID or exact name; "
            "ingest their works first if they are not in the store.",
        )
    if kind == "profile":
        raise NotFoundError(f"'{v}' is not a profile URL labscout knows", hint=FORMS_HINT)
    return _by_name(store, v), "name"


def _by_name(store: Store, name: str) -> list[str]:
    records = R.authors_named(store, name)
    if not records:
        raise NotFoundError(
            f"nobody named '{name}' in the store",
            hint="Names match exactly (accents and case aside); check the spelling, "
            "or use an author id or ORCID.",
        )
    by_person: dict[str, list[str]] = {}
    for rec, pid in person_of(store, records).items():
        by_person.setdefault(pid, []).append(rec)
    if len(by_person) > 1:
        candidates = [_person(store, recs, "name") for recs in by_person.values()]
        listed = [
            f"{p.display_name or '?'} ({p.institution or 'institution unknown'}) {p.id}"
            for p in candidates[:MAX_LISTED]
        ]
        more = f"; and {len(candidates) - MAX_LISTED} more" if len(candidates) > MAX_LISTED else ""
        raise AmbiguousError(
            f"the name '{name}' matches {len(candidates)} people: " + "; ".join(listed) + more,
            hint=f"Pass the id of the one you mean (e.g. {candidates[0].id}).",
        )
    return records


def _person(store: Store, records: list[str], matched_by: str) -> Person:
    """The person of ``records`` (the first one leads), with every record of theirs."""
    first = records[0]
    pid = person_of(store, [first])[first]
    ids = member_ids(store, [*records, pid])
    # name and ORCID: the named record's own, then full records, then by id
    name, orcid = store.best_author_record(ids, first)
    now = store.current_institutions([pid]).get(pid)
    return Person(
        id=pid,
        author_ids=ids,
        record_id=first,
        display_name=name or R.raw_author_name(store, first),
        orcid=orcid,
        institution=_institution_name(store, now[0]) if now else None,
        matched_by=matched_by,
    )


def _institution_name(store: Store, institution_id: str) -> str:
    try:
        return store.get_institution(institution_id).display_name or institution_id
    except NotFoundError:
        return institution_id
