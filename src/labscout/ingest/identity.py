"""One person across sources: link author records that are the same researcher.

Every source names people its own way: OpenAlex ``A123``, DBLP
``dblp:homepages/b/Bengio`` (or a DBLP name string), ``s2:1700325``, or a name
on one paper (``arxiv:2401.00001#2``). :func:`resolve_identities` links the
records of one person, never destroying any: each link (``identity_links``)
says "``author_id`` is the same person as ``person_id``", with the rule that
made it and a readable reason. The ``author_person`` view maps every author to
its person (itself when unlinked), which is what rankings count.

Rules, strongest first:

1. a shared strong key: ORCID, OpenAlex author id, DBLP pid, Semantic Scholar
   author id (rules ``orcid``, ``openalex``, ``dblp``, ``s2``);
2. ``shared-work``: a compatible name at the same place on the same work
   (recorded while two sources' descriptions of one paper are merged, see
   :mod:`labscout.ingest.matching`);
3. ``name+coauthors``: a compatible name (same last name, first names that
   agree as far as both go) AND co-authors in common: two
   (:data:`MIN_SHARED_COAUTHORS`), or one when both records carry the same
   full name ("Graham Neubig" twice, not "G. Neubig"). A name alone never
   merges: two "Wei Wang" without common co-authors stay two people.

:func:`split_author` undoes a link; the undone row is kept, so the same pair is
never merged again by a later :func:`resolve_identities`.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from labscout.errors import NotFoundError
from labscout.ingest.matching import AuthorAlias, name_key, name_parts, names_compatible
from labscout.people import normalize_orcid
from labscout.people import person_of as persons_of
from labscout.store import Store

STRONG_SCHEMES = ("orcid", "openalex", "dblp", "s2")
MIN_SHARED_COAUTHORS = 2
# the same full name ("Graham Neubig" twice, not "G. Neubig"): one common co-author is enough
MIN_SHARED_COAUTHORS_FULL = 1
MAX_BLOCK = 5000  # authors sharing one name key compared pairwise at most


@dataclass(frozen=True)
class IdentityLink:
    link_id: int
    author_id: str
    person_id: str
    rule: str
    reason: str | None
    evidence: dict[str, Any]
    created_at: datetime | None
    undone_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "link_id": self.link_id,
            "author_id": self.author_id,
            "person_id": self.person_id,
            "rule": self.rule,
            "reason": self.reason,
            "evidence": self.evidence,
            "created_at": str(self.created_at) if self.created_at else None,
            "undone_at": str(self.undone_at) if self.undone_at else None,
        }


@dataclass(frozen=True)
class PersonMember:
    author_id: str
    display_name: str | None
    source: str | None
    link: IdentityLink | None  # None for the person's own record


@dataclass
class PersonIdentity:
    """One person: the records linked to it and why (``labscout identities --author``)."""

    person_id: str
    members: list[PersonMember]
    undone: list[IdentityLink] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "members": [
                {
                    "author_id": m.author_id,
                    "display_name": m.display_name,
                    "source": m.source,
                    "link": m.link.to_dict() if m.link else None,
                }
                for m in self.members
            ],
            "undone": [u.to_dict() for u in self.undone],
        }


@dataclass
class IdentityReport:
    """What one :func:`resolve_identities` run linked."""

    linked: dict[str, int] = field(default_factory=dict)  # rule -> new links
    blocked: int = 0  # merges not made because a user split them before
    persons: int = 0  # distinct persons after the run
    authors: int = 0
    elapsed_s: float = 0.0

    def summary(self) -> str:
        rules = ", ".join(f"{r} {n:,}" for r, n in sorted(self.linked.items())) or "none"
        return (
            f"identities: {sum(self.linked.values()):,} new links ({rules}); "
            f"{self.authors:,} author records are {self.persons:,} persons"
            + (f"; {self.blocked:,} merges skipped (split earlier)" if self.blocked else "")
            + f" in {self.elapsed_s:.1f}s"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "linked": self.linked,
            "blocked": self.blocked,
            "persons": self.persons,
            "authors": self.authors,
            "elapsed_s": round(self.elapsed_s, 3),
        }


@dataclass
class SplitResult:
    author_id: str
    person_id: str
    undone: list[IdentityLink]
    new_person_id: str | None  # when the split record was the person's own: who leads it now
    restored_authorships: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "author_id": self.author_id,
            "person_id": self.person_id,
            "undone": [u.to_dict() for u in self.undone],
            "new_person_id": self.new_person_id,
            "restored_authorships": self.restored_authorships,
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _row_to_link(r: tuple) -> IdentityLink:
    return IdentityLink(
        link_id=r[0],
        author_id=r[1],
        person_id=r[2],
        rule=r[3],
        reason=r[4],
        evidence=json.loads(r[5]) if r[5] else {},
        created_at=r[6],
        undone_at=r[7],
    )


_LINK_COLS = "link_id, author_id, person_id, rule, reason, evidence, created_at, undone_at"


class _Links:
    """The active links held in memory while a run adds many (one write at the end)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        con = store.con
        self.parent: dict[str, str] = dict(
            con.execute(
                "SELECT author_id, person_id FROM identity_links WHERE undone_at IS NULL"
            ).fetchall()
        )
        self.members: dict[str, set[str]] = defaultdict(set)
        for a, p in self.parent.items():
            self.members[p].add(a)
        self.blocked_pairs: set[frozenset[str]] = {
            frozenset(r)
            for r in con.execute(
                "SELECT author_id, person_id FROM identity_links WHERE undone_at IS NOT NULL"
            ).fetchall()
        }
        self.next_id = con.execute(
            "SELECT coalesce(max(link_id), 0) + 1 FROM identity_links"
        ).fetchone()[0]
        self.new: list[tuple] = []
        self.moved: list[tuple[str, str]] = []  # (old person, new person)
        self.blocked = 0

    def root(self, a: str) -> str:
        return self.parent.get(a, a)

    def group(self, p: str) -> set[str]:
        return {p} | self.members.get(p, set())

    def link(self, a: str, b: str, rule: str, reason: str, evidence: dict | None = None) -> bool:
        ra, rb = self.root(a), self.root(b)
        if ra == rb:
            return False
        ga, gb = self.group(ra), self.group(rb)
        if any(frozenset((x, y)) in self.blocked_pairs for x in ga for y in gb):
            self.blocked += 1
            return False
        # the larger group keeps its person id
        if len(ga) > len(gb):
            ra, rb, ga, gb, a, b = rb, ra, gb, ga, b, a
        for m in ga - {ra}:
            self.parent[m] = rb
            self.members[rb].add(m)
        self.members.pop(ra, None)
        if len(ga) > 1:
            self.moved.append((ra, rb))
        self.parent[ra] = rb
        self.members[rb].add(ra)
        ev = dict(evidence or {})
        if a != ra or b != rb:
            ev.setdefault("via", [a, b])
        self.new.append(
            (self.next_id, ra, rb, rule, reason, json.dumps(ev) if ev else None, _now(), None)
        )
        self.next_id += 1
        return True

    def save(self) -> None:
        con = self.store.con
        if not self.new and not self.moved:
            return
        con.execute("BEGIN")
        try:
            for old, new in self.moved:
                con.execute(
                    "UPDATE identity_links SET person_id = ? "
                    "WHERE person_id = ? AND undone_at IS NULL",
                    [new, old],
                )
            if self.new:
                con.executemany(
                    f"INSERT INTO identity_links ({_LINK_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    self.new,
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        self.new.clear()
        self.moved.clear()


class AliasLinker:
    """Links the authors :mod:`labscout.ingest.matching` finds on shared works, run-long.

    The active links are read once (on the first alias), not once per batch.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._links: _Links | None = None

    def __call__(self, aliases: list[AuthorAlias]) -> int:
        if not aliases:
            return 0
        if self._links is None:
            self._links = _Links(self.store)
        links = self._links
        n = 0
        for al in aliases:
            n += links.link(
                al.author_id,
                al.same_as,
                "shared-work",
                f"compatible name ({al.name}) on the same work {al.work_id}",
                {"work_id": al.work_id, "author_id": al.author_id, "same_as": al.same_as},
            )
        links.save()
        return n


def record_aliases(store: Store, aliases: list[AuthorAlias]) -> int:
    """Link the authors that :mod:`labscout.ingest.matching` found on a shared work."""
    return AliasLinker(store)(aliases)


def _strong_keys(store: Store) -> dict[tuple[str, str], list[str]]:
    con = store.con
    keys: dict[tuple[str, str], list[str]] = defaultdict(list)
    for aid, orcid in con.execute(
        "SELECT id, orcid FROM authors WHERE orcid IS NOT NULL AND orcid <> ''"
    ).fetchall():
        keys[("orcid", normalize_orcid(orcid) or orcid.strip().upper())].append(aid)
    placeholders = ", ".join("?" for _ in STRONG_SCHEMES)
    for aid, scheme, value in con.execute(
        f"SELECT author_id, scheme, value FROM author_ids WHERE scheme IN ({placeholders})",
        list(STRONG_SCHEMES),
    ).fetchall():
        v = value.strip()
        keys[(scheme, (normalize_orcid(v) or v.upper()) if scheme == "orcid" else v)].append(aid)
    for (aid,) in con.execute(
        "SELECT id FROM authors WHERE regexp_matches(id, '^A\\d+$')"
    ).fetchall():
        keys[("openalex", aid)].append(aid)
    return keys


def _name_evidence(store: Store):
    """Per author: names, works, co-author name keys."""
    con = store.con
    names: dict[str, set[str]] = defaultdict(set)
    for aid, display, variants in con.execute(
        "SELECT id, display_name, name_variants FROM authors"
    ).fetchall():
        if display:
            names[aid].add(display)
        for v in variants or ():
            names[aid].add(v)
    works: dict[str, set[str]] = defaultdict(set)
    on_work: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for wid, aid, raw in con.execute(
        "SELECT work_id, author_id, raw_author_name FROM authorships"
    ).fetchall():
        works[aid].add(wid)
        on_work[wid].append((aid, raw or ""))
        if raw:
            names[aid].add(raw)
    coauthors: dict[str, set[str]] = defaultdict(set)
    for people in on_work.values():
        keys = [(aid, name_key(raw)) for aid, raw in people]
        for aid, _ in keys:
            coauthors[aid].update(k for other, k in keys if other != aid and k)
    return names, works, coauthors


def resolve_identities(store: Store, *, names: bool = True) -> IdentityReport:
    """Link the author records of one person, strong keys first, then names with evidence."""
    started = time.perf_counter()
    report = IdentityReport()
    links = _Links(store)

    def add(a: str, b: str, rule: str, reason: str, ev: dict | None = None) -> None:
        if links.link(a, b, rule, reason, ev):
            report.linked[rule] = report.linked.get(rule, 0) + 1

    for (scheme, value), ids in sorted(_strong_keys(store).items()):
        uniq = sorted(set(ids))
        for other in uniq[1:]:
            add(other, uniq[0], scheme, f"same {scheme} {value}", {scheme: value})
    if names:
        _link_by_names(links, store, add)
    links.save()
    report.blocked = links.blocked
    con = store.con
    report.authors = con.execute("SELECT count(*) FROM authors").fetchone()[0]
    report.persons = con.execute("SELECT count(DISTINCT person_id) FROM author_person").fetchone()[
        0
    ]
    report.elapsed_s = time.perf_counter() - started
    return report


def _link_by_names(links: _Links, store: Store, add) -> None:
    names, works, coauthors = _name_evidence(store)
    blocks: dict[str, set[str]] = defaultdict(set)
    for aid, ns in names.items():
        for n in ns:
            k = name_key(n)
            if k:
                blocks[k].add(aid)
    # evidence per person (root), merged as persons are linked
    w_of: dict[str, set[str]] = defaultdict(set)
    c_of: dict[str, set[str]] = defaultdict(set)
    for aid in names:
        r = links.root(aid)
        w_of[r] |= works.get(aid, set())
        c_of[r] |= coauthors.get(aid, set())

    def joined(a: str, b: str, ra: str, rb: str, rule: str, reason: str, ev: dict) -> bool:
        before = links.root(a), links.root(b)
        add(a, b, rule, reason, ev)
        root = links.root(a)
        if root == links.root(b) and before[0] != before[1]:
            for old in before:
                if old != root:
                    w_of[root] |= w_of.pop(old, set())
                    c_of[root] |= c_of.pop(old, set())
            return True
        return False

    for _ in range(3):  # persons grow, and with them their evidence: a few passes
        changed = False
        for key in sorted(blocks):
            members = sorted(blocks[key])
            if len(members) < 2 or len(members) > MAX_BLOCK:
                continue
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    ra, rb = links.root(a), links.root(b)
                    if ra == rb:
                        continue
                    pair = _compatible_names(names[a], names[b])
                    if pair is None:
                        continue
                    shared = w_of[ra] & w_of[rb]
                    if shared:
                        first = sorted(shared)[0]
                        changed |= joined(
                            a,
                            b,
                            ra,
                            rb,
                            "shared-work",
                            f"names {pair[0]!r} ~ {pair[1]!r} on the same work {first}",
                            {"works": sorted(shared)[:5]},
                        )
                        continue
                    common = (c_of[ra] & c_of[rb]) - {key}
                    need = MIN_SHARED_COAUTHORS_FULL if _same_full(pair) else MIN_SHARED_COAUTHORS
                    if len(common) >= need:
                        changed |= joined(
                            a,
                            b,
                            ra,
                            rb,
                            "name+coauthors",
                            f"names {pair[0]!r} ~ {pair[1]!r} with {len(common)} co-author(s) "
                            "in common",
                            {"coauthors": sorted(common)[:10]},
                        )
        if not changed:
            break


def _same_full(pair: tuple[str, str]) -> bool:
    (la, fa), (lb, fb) = name_parts(pair[0]), name_parts(pair[1])
    return la == lb and fa == fb and len(fa.split()[0] if fa else "") > 1


def _compatible_names(a: set[str], b: set[str]) -> tuple[str, str] | None:
    """A compatible pair of names, one with the same full name when there is one."""
    first = None
    for x in sorted(a):
        for y in sorted(b):
            if names_compatible(x, y):
                if _same_full((x, y)):
                    return x, y
                first = first or (x, y)
    return first


def person_of(store: Store, author_id: str) -> str:
    """The person ``author_id`` belongs to (itself when no link merges it)."""
    return persons_of(store, [author_id])[author_id]


def identities(store: Store, author_id: str) -> PersonIdentity:
    """The person ``author_id`` belongs to: every linked record and the reason for each link."""
    con = store.con
    author_id = store.resolve_id("authors", author_id)  # e.g. a DBLP name now a person
    exists = con.execute("SELECT count(*) FROM authors WHERE id = ?", [author_id]).fetchone()[0]
    linked = con.execute(
        "SELECT count(*) FROM identity_links WHERE author_id = ? OR person_id = ?",
        [author_id, author_id],
    ).fetchone()[0]
    if not exists and not linked:
        raise NotFoundError(
            f"no author with id {author_id} in the store",
            hint="Author ids look like A5023888391, dblp:homepages/b/Bengio or s2:1700325.",
        )
    person = person_of(store, author_id)
    rows = con.execute(
        f"SELECT {_LINK_COLS} FROM identity_links WHERE person_id = ? AND undone_at IS NULL "
        "ORDER BY link_id",
        [person],
    ).fetchall()
    info = {
        r[0]: (r[1], r[2])
        for r in con.execute(
            "SELECT id, display_name, source FROM authors WHERE id IN (SELECT unnest(?))",
            [[person, *(r[1] for r in rows)]],
        ).fetchall()
    }
    members = [PersonMember(person, *info.get(person, (None, None)), None)]
    for r in rows:
        link = _row_to_link(r)
        members.append(PersonMember(link.author_id, *info.get(link.author_id, (None, None)), link))
    undone = [
        _row_to_link(r)
        for r in con.execute(
            f"SELECT {_LINK_COLS} FROM identity_links WHERE undone_at IS NOT NULL "
            "AND (author_id IN (SELECT unnest(?)) OR person_id IN (SELECT unnest(?))) "
            "ORDER BY link_id",
            [[m.author_id for m in members]] * 2,
        ).fetchall()
    ]
    return PersonIdentity(person_id=person, members=members, undone=undone)


def split_author(store: Store, author_id: str) -> SplitResult:
    """Take ``author_id`` out of its person, undoing the link(s) that put it there.

    When ``author_id`` is the person's own record, the oldest other member
    leads the person from now on. Authorships that a ``shared-work`` merge
    folded into another record are given back to ``author_id``. The undone
    links are kept, so :func:`resolve_identities` will not merge them again.
    """
    ident = identities(store, author_id)
    person = ident.person_id
    con = store.con
    now = _now()
    undone: list[IdentityLink] = []
    new_person = None
    con.execute("BEGIN")
    try:
        if author_id != person:
            link = next(m.link for m in ident.members if m.author_id == author_id)
            undone.append(link)
            con.execute(
                "UPDATE identity_links SET undone_at = ? WHERE link_id = ?", [now, link.link_id]
            )
        else:
            others = [m for m in ident.members if m.link is not None]
            if not others:
                con.execute("ROLLBACK")
                return SplitResult(author_id, person, [], None, 0)
            heir = others[0]
            new_person = heir.author_id
            undone.append(heir.link)
            con.execute(
                "UPDATE identity_links SET undone_at = ? WHERE link_id = ?",
                [now, heir.link.link_id],
            )
            con.execute(
                "UPDATE identity_links SET person_id = ? WHERE person_id = ? AND undone_at IS NULL",
                [new_person, person],
            )
        restored = 0
        for link in undone:
            work_id = link.evidence.get("work_id")
            same_as = link.evidence.get("same_as")
            who = link.evidence.get("author_id")
            if link.rule != "shared-work" or not (work_id and same_as and who):
                continue
            # ids the evidence names may have been merged since (dblp:name/... -> the person)
            who, same_as = store.resolve_id("authors", who), store.resolve_id("authors", same_as)
            has = con.execute(
                "SELECT count(*) FROM authorships WHERE work_id = ? AND author_id = ?",
                [work_id, who],
            ).fetchone()[0]
            if has:
                continue
            restored += con.execute(
                "INSERT INTO authorships SELECT work_id, ?, author_position, "
                "position_index, is_corresponding, raw_author_name, raw_affiliation_strings, "
                "institution_ids FROM authorships WHERE work_id = ? AND author_id = ? LIMIT 1",
                [who, work_id, same_as],
            ).fetchone()[0]
        con.execute(
            "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
            "WHERE key = 'data_version'"
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return SplitResult(author_id, person, undone, new_person, restored)
