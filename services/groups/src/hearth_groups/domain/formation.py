"""Formation: groups from compatible interest, the same for the same input.

People are grouped only with those of the same kind, topic and language (and region, for kinds
that meet in person); each group stays within its kind's size bounds; who does not fit stays in
the pool (or, when staff allow it, a group takes one more than its maximum); nobody is placed
twice for one kind and topic; people who were in a peer group together are not matched again
when another group has room for them. Every choice is made in a fixed order (time of interest,
then person id), so the input's order never changes the outcome.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import groupby

from .kinds import Kind, KindRules, Regions

Pair = frozenset[uuid.UUID]


class Remainder(StrEnum):
    POOL = "pool"  # who does not fit stays in the pool for the next proposal
    SIZE_PLUS_ONE = "size_plus_one"  # groups may take one more than their maximum


@dataclass(frozen=True, order=True)
class Interest:
    """One person's interest in one kind of group on one topic (an entry of the pool)."""

    expressed_at: datetime
    person_id: uuid.UUID
    kind: Kind = field(compare=False)
    topic: str = field(compare=False)
    language: str = field(compare=False)
    region: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ProposedGroup:
    kind: Kind
    topic: str
    language: str
    region: str | None  # set when the kind keeps regions together
    members: tuple[Interest, ...]  # in the pool's order

    @property
    def person_ids(self) -> tuple[uuid.UUID, ...]:
        return tuple(m.person_id for m in self.members)


@dataclass(frozen=True)
class Formation:
    groups: tuple[ProposedGroup, ...]
    left_in_pool: tuple[Interest, ...]


def _key(i: Interest) -> tuple[datetime, uuid.UUID]:
    """The pool's order (as `Interest`'s own ordering, computed once per entry)."""
    return (i.expressed_at, i.person_id)


def first_interest_each(interests: Iterable[Interest]) -> list[Interest]:
    """One entry per person, kind and topic (the earliest): nobody is placed twice."""
    first: dict[tuple[uuid.UUID, Kind, str], Interest] = {}
    for interest in sorted(interests, key=lambda i: (*_key(i), i.language, i.region or "")):
        first.setdefault((interest.person_id, interest.kind, interest.topic), interest)
    return sorted(first.values(), key=_key)


def form(
    interests: Iterable[Interest],
    rules: Mapping[Kind, KindRules],
    *,
    remainder: Remainder = Remainder.POOL,
    already_placed: frozenset[tuple[uuid.UUID, Kind, str]] = frozenset(),
    past_pairs: frozenset[Pair] = frozenset(),
) -> Formation:
    """Groups for every kind and topic in `interests`. `already_placed` are (person, kind, topic)
    of people already in a group of that kind and topic (they are left out); `past_pairs` are
    pairs of people who were in a peer group together."""
    eligible = [
        i for i in first_interest_each(interests) if (i.person_id, i.kind, i.topic) not in already_placed
    ]
    partners: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for pair in past_pairs:
        a, b = pair
        partners[a].add(b)
        partners[b].add(a)
    groups: list[ProposedGroup] = []
    left: list[Interest] = []

    def partition(i: Interest) -> tuple[Kind, str, str, str]:
        # Regions split partitions only for the kinds that keep them together.
        together = rules[i.kind].regions is Regions.TOGETHER
        return (i.kind, i.topic, i.language, (i.region or "") if together else "")

    for key, members in groupby(sorted(eligible, key=partition), key=partition):
        kind_rules = rules[key[0]]
        formed, rest = _form_partition(list(members), kind_rules, remainder, partners)
        groups += formed
        left += rest
    return Formation(tuple(groups), tuple(sorted(left, key=_pool_order)))


def _pool_order(interest: Interest) -> tuple[str, str, str, datetime, uuid.UUID]:
    return (interest.kind, interest.topic, interest.language, interest.expressed_at, interest.person_id)


def group_count(n: int, min_size: int, max_size: int) -> int:
    """As few groups as hold everyone within bounds; fewer when that many cannot all be filled."""
    count = -(-n // max_size)
    while count and count * min_size > n:
        count -= 1
    return count


def _form_partition(
    people: list[Interest],
    rules: KindRules,
    remainder: Remainder,
    partners: Mapping[uuid.UUID, set[uuid.UUID]],
) -> tuple[list[ProposedGroup], list[Interest]]:
    people.sort(key=_key)  # earliest interest first: the latest are the ones left in the pool
    count = group_count(len(people), rules.min_size, rules.max_size)
    if count == 0:
        return [], people
    capacity = count * (rules.max_size + (1 if remainder is Remainder.SIZE_PLUS_ONE else 0))
    placed, left = people[:capacity], people[capacity:]
    quotient, extra = divmod(len(placed), count)
    targets = [quotient + (1 if index < extra else 0) for index in range(count)]
    seats = _assign(placed, targets, rules, partners)
    if rules.avoid_repeat_pairings:
        _swap_apart(seats, partners)
    first = placed[0]
    region = first.region if rules.regions is Regions.TOGETHER else None
    groups = [
        ProposedGroup(first.kind, first.topic, first.language, region, tuple(sorted(members, key=_key)))
        for members in seats
    ]
    return groups, left


def _assign(
    placed: list[Interest],
    targets: list[int],
    rules: KindRules,
    partners: Mapping[uuid.UUID, set[uuid.UUID]],
) -> list[list[Interest]]:
    """Greedy: those with the most past co-members choose first; each takes the group with the
    fewest past co-members, then (regions spread) the fewest from their region, then the most room."""
    everyone = {p.person_id for p in placed}
    avoid = rules.avoid_repeat_pairings
    spread = rules.regions is Regions.SPREAD

    def constraint(p: Interest) -> int:
        return len(partners.get(p.person_id, set()) & everyone) if avoid else 0

    seats: list[list[Interest]] = [[] for _ in targets]
    ids: list[set[uuid.UUID]] = [set() for _ in targets]
    for person in sorted(placed, key=lambda p: (-constraint(p), *_key(p))):
        mine = partners.get(person.person_id, set()) if avoid else set()

        def score(index: int, person: Interest = person, mine: set[uuid.UUID] = mine) -> tuple[int, ...]:
            clashes = len(mine & ids[index])
            same_region = (
                sum(1 for m in seats[index] if m.region == person.region) if spread and person.region else 0
            )
            return (clashes, same_region, len(seats[index]) - targets[index], index)

        best = min((i for i in range(len(targets)) if len(seats[i]) < targets[i]), key=score)
        seats[best].append(person)
        ids[best].add(person.person_id)
    return seats


def repeat_pairs(members: Iterable[uuid.UUID], partners: Mapping[uuid.UUID, set[uuid.UUID]]) -> int:
    ids = set(members)
    return sum(len(partners.get(p, set()) & ids) for p in ids) // 2


def _swap_apart(seats: list[list[Interest]], partners: Mapping[uuid.UUID, set[uuid.UUID]]) -> None:
    """Swap two people between groups while that lowers the number of repeat pairings; each swap
    lowers it by at least one, so this ends."""
    ids = [{m.person_id for m in group} for group in seats]
    none: set[uuid.UUID] = set()

    def gain(b: uuid.UUID, g: int, c: uuid.UUID, h: int) -> int:
        """Repeats removed by swapping b (in group g) with c (in group h)."""
        pb, pc = partners.get(b, none), partners.get(c, none)
        before = len(pb & ids[g]) + len(pc & ids[h])
        after = len(pb & (ids[h] - {c})) + len(pc & (ids[g] - {b}))
        return before - after

    improved = True
    while improved:
        improved = False
        for g, group in enumerate(seats):
            for i, member in enumerate(group):
                b = member.person_id
                if not partners.get(b, none) & ids[g]:
                    continue
                found = next(
                    ((h, j) for h in range(len(seats)) if h != g for j, other in enumerate(seats[h])
                     if gain(b, g, other.person_id, h) > 0),
                    None,
                )  # fmt: skip
                if found is None:
                    continue
                h, j = found
                c = seats[h][j].person_id
                seats[g][i], seats[h][j] = seats[h][j], seats[g][i]
                ids[g] ^= {b, c}
                ids[h] ^= {b, c}
                improved = True
