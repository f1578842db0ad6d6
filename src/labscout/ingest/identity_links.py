"""Identity links: what they are, how a run holds and saves them, and undoing one.

A link (``identity_links``) says "``author_id`` is the same person as
``person_id``", with the rule that made it and a readable reason
(:mod:`labscout.ingest.identity` finds them). :class:`Links` holds the active
links of a run in memory (a union-find over persons) and writes them at the
end; :func:`identities` lists a person's records and links;
:func:`split_author` undoes a link, keeping the undone row so that the same
pair is never merged again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from labscout.errors import NotFoundError
from labscout.ingest.matching import AuthorAlias
from labscout.people import person_of
from labscout.store import Store
from labscout.store import ingest_sql as S


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


def row_to_link(r: tuple) -> IdentityLink:
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


class Links:
    """The active links held in memory while a run adds many (one write at the end)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.parent: dict[str, str] = dict(S.links(store, undone=False))
        self.members: dict[str, set[str]] = defaultdict(set)
        for a, p in self.parent.items():
            self.members[p].add(a)
        self.blocked_pairs = {frozenset(r) for r in S.links(store, undone=True)}
        self.next_id = S.next_link_id(store)
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
        if not self.new and not self.moved:
            return
        S.save_links(self.store, self.moved, self.new)
        self.new.clear()
        self.moved.clear()


class AliasLinker:
    """Links the authors :mod:`labscout.ingest.matching` finds on shared works, run-long.

    The active links are read once (on the first alias), not once per batch.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._links: Links | None = None

    def __call__(self, aliases: list[AuthorAlias]) -> int:
        if not aliases:
            return 0
        if self._links is None:
            self._links = Links(self.store)
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


def identities(store: Store, author_id: str) -> PersonIdentity:
    """The person ``author_id`` belongs to: every linked record and the reason for each link."""
    author_id = store.resolve_id("authors", author_id)  # e.g. a DBLP name now a person
    if not S.author_known(store, author_id):
        raise NotFoundError(
            f"no author with id {author_id} in the store",
            hint="Author ids look like A5023888391, dblp:homepages/b/Bengio or s2:1700325.",
        )
    person = person_of(store, [author_id])[author_id]
    rows = S.person_links(store, person)
    info = S.author_labels(store, [person, *(r[1] for r in rows)])
    members = [PersonMember(person, *info.get(person, (None, None)), None)]
    for r in rows:
        link = row_to_link(r)
        members.append(PersonMember(link.author_id, *info.get(link.author_id, (None, None)), link))
    undone = [row_to_link(r) for r in S.undone_links(store, [m.author_id for m in members])]
    return PersonIdentity(person_id=person, members=members, undone=undone)


def split_author(store: Store, author_id: str) -> SplitResult:
    """Take ``author_id`` out of its person, undoing the link(s) that put it there.

    When ``author_id`` is the person's own record, the oldest other member
    leads the person from now on. Authorships that a ``shared-work`` merge
    folded into another record are given back to ``author_id``. The undone
    links are kept, so :func:`labscout.ingest.identity.resolve_identities`
    will not merge them again.
    """
    ident = identities(store, author_id)
    person = ident.person_id
    new_person = None
    if author_id != person:
        link = next(m.link for m in ident.members if m.author_id == author_id)
    else:
        others = [m for m in ident.members if m.link is not None]
        if not others:
            return SplitResult(author_id, person, [], None, 0)
        new_person = others[0].author_id
        link = others[0].link
    assert link is not None
    restore = []
    work_id, same_as, who = (link.evidence.get(k) for k in ("work_id", "same_as", "author_id"))
    if link.rule == "shared-work" and work_id and same_as and who:
        # ids the evidence names may have been merged since (dblp:name/... -> the person)
        who, same_as = store.resolve_id("authors", who), store.resolve_id("authors", same_as)
        restore.append((who, work_id, same_as))
    moved = (person, new_person) if new_person else None
    restored = S.undo_links(store, _now(), [link.link_id], moved, restore)
    return SplitResult(author_id, person, [link], new_person, restored)
