"""A proposal as staff review it: move people, split a group, merge two, then publish. Edits
never mix languages (or, for kinds that meet in person, regions); sizes are checked at publishing,
so staff may pass through an uneven state on the way."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from .errors import GroupsRefused, NotFound
from .formation import Formation, Interest, ProposedGroup, Remainder
from .kinds import Kind, KindRules

Edit = Callable[[Formation], Formation]


class EditRefused(GroupsRefused):
    code = "edit_refused"
    status = 422


class SizeRefused(GroupsRefused):
    code = "size_out_of_bounds"


def _group(formation: Formation, index: int) -> ProposedGroup:
    if not 0 <= index < len(formation.groups):
        raise NotFound(f"the proposal has no group {index}", "group")
    return formation.groups[index]


def _compatible(a: ProposedGroup, b: ProposedGroup | Interest, what: str) -> None:
    region = b.region if isinstance(b, ProposedGroup) else None
    if a.language != b.language:
        raise EditRefused(f"{what}: {a.language} and {b.language} are never mixed in one group", "language")
    if a.region is not None and isinstance(b, ProposedGroup) and a.region != region:
        raise EditRefused(f"{what}: this kind keeps regions together ({a.region}, {region})", "region")


def move(formation: Formation, person_id: uuid.UUID, to: int | None) -> Formation:
    """Move a person (from a group or the pool) to group `to`, or back to the pool (None)."""
    groups = list(formation.groups)
    pool = list(formation.left_in_pool)
    found = [i for i in pool if i.person_id == person_id]
    for index, group in enumerate(groups):
        found += [m for m in group.members if m.person_id == person_id]
        groups[index] = replace(group, members=tuple(m for m in group.members if m.person_id != person_id))
    if not found:
        raise NotFound("that person is not in this proposal", "person_id")
    interest = found[0]
    pool = [i for i in pool if i.person_id != person_id]
    if to is None:
        pool.append(interest)
    else:
        target = _group(formation, to)
        _compatible(target, interest, "move")
        groups[to] = replace(groups[to], members=tuple(sorted((*groups[to].members, interest))))
    return Formation(tuple(g for g in groups if g.members), tuple(sorted(pool)))


def split(formation: Formation, index: int, person_ids: set[uuid.UUID]) -> Formation:
    """The named people of group `index` become a group of their own."""
    group = _group(formation, index)
    leaving = tuple(m for m in group.members if m.person_id in person_ids)
    staying = tuple(m for m in group.members if m.person_id not in person_ids)
    if len(leaving) != len(person_ids) or not staying:
        raise EditRefused("name some (not all) of the group's own members to split off", "person_ids")
    groups = list(formation.groups)
    groups[index] = replace(group, members=staying)
    groups.insert(index + 1, replace(group, members=leaving))
    return replace(formation, groups=tuple(groups))


def merge(formation: Formation, first: int, second: int) -> Formation:
    a, b = _group(formation, first), _group(formation, second)
    if first == second:
        raise EditRefused("name two different groups to merge", "groups")
    _compatible(a, b, "merge")
    merged = replace(a, members=tuple(sorted((*a.members, *b.members))))
    groups = [merged if i == first else g for i, g in enumerate(formation.groups) if i != second]
    return replace(formation, groups=tuple(groups))


def without(formation: Formation, person_id: uuid.UUID) -> Formation:
    """The proposal with a person taken out everywhere (erasure)."""
    groups = (
        replace(g, members=tuple(m for m in g.members if m.person_id != person_id)) for g in formation.groups
    )
    pool = tuple(i for i in formation.left_in_pool if i.person_id != person_id)
    return Formation(tuple(g for g in groups if g.members), pool)


def check_sizes(formation: Formation, rules: dict[Kind, KindRules], remainder: Remainder) -> None:
    for index, group in enumerate(formation.groups):
        bounds = rules[group.kind]
        largest = bounds.max_size + (1 if remainder is Remainder.SIZE_PLUS_ONE else 0)
        if not bounds.min_size <= len(group.members) <= largest:
            raise SizeRefused(
                f"group {index} has {len(group.members)} people; a {group.kind} holds "
                f"{bounds.min_size}–{largest}: move people, split or merge first",
                "groups",
            )


def to_document(formation: Formation) -> dict[str, Any]:
    """The proposal as JSON (stored as it is reviewed and edited)."""

    def entry(i: Interest) -> dict[str, Any]:
        return {
            "person_id": str(i.person_id),
            "kind": i.kind.value,
            "topic": i.topic,
            "language": i.language,
            "region": i.region,
            "expressed_at": i.expressed_at.isoformat(),
        }

    return {
        "groups": [
            {
                "kind": g.kind.value,
                "topic": g.topic,
                "language": g.language,
                "region": g.region,
                "members": [entry(m) for m in g.members],
            }
            for g in formation.groups
        ],
        "left_in_pool": [entry(i) for i in formation.left_in_pool],
    }


def from_document(document: dict[str, Any]) -> Formation:
    def entry(d: dict[str, Any]) -> Interest:
        return Interest(
            datetime.fromisoformat(d["expressed_at"]),
            uuid.UUID(d["person_id"]),
            Kind(d["kind"]),
            d["topic"],
            d["language"],
            d["region"],
        )

    return Formation(
        tuple(
            ProposedGroup(
                Kind(g["kind"]), g["topic"], g["language"], g["region"], tuple(entry(m) for m in g["members"])
            )
            for g in document["groups"]
        ),
        tuple(entry(i) for i in document["left_in_pool"]),
    )
