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

:func:`split_author` (:mod:`labscout.ingest.identity_links`) undoes a link;
the undone row is kept, so the same pair is never merged again by a later
:func:`resolve_identities`.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from labscout.ingest.identity_links import (
    IdentityLink,
    Links,
    PersonIdentity,
    SplitResult,
    identities,
    split_author,
)
from labscout.people import normalize_orcid
from labscout.people import person_of as persons_of
from labscout.sources.names import name_key, name_parts, names_compatible
from labscout.store import Store
from labscout.store import ingest_sql as S

__all__ = [
    "IdentityLink",
    "IdentityReport",
    "PersonIdentity",
    "SplitResult",
    "identities",
    "person_of",
    "resolve_identities",
    "split_author",
]

STRONG_SCHEMES = ("orcid", "openalex", "dblp", "s2")
MIN_SHARED_COAUTHORS = 2
# the same full name ("Graham Neubig" twice, not "G. Neubig"): one common co-author is enough
MIN_SHARED_COAUTHORS_FULL = 1
MAX_BLOCK = 5000  # authors sharing one name key compared pairwise at most


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


def _strong_keys(store: Store) -> dict[tuple[str, str], list[str]]:
    keys: dict[tuple[str, str], list[str]] = defaultdict(list)
    for aid, scheme, value in S.strong_ids(store, STRONG_SCHEMES):
        v = value.strip()
        keys[(scheme, (normalize_orcid(v) or v.upper()) if scheme == "orcid" else v)].append(aid)
    return keys


def _name_evidence(store: Store):
    """Per author: names, works, co-author name keys."""
    names: dict[str, set[str]] = defaultdict(set)
    for aid, display, variants in S.author_names(store):
        if display:
            names[aid].add(display)
        for v in variants or ():
            names[aid].add(v)
    works: dict[str, set[str]] = defaultdict(set)
    on_work: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for wid, aid, raw in S.authorship_names(store):
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
    links = Links(store)

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
    report.authors, report.persons = S.authors_and_persons(store)
    report.elapsed_s = time.perf_counter() - started
    return report


def _link_by_names(links: Links, store: Store, add) -> None:
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
