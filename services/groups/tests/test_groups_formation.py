"""Formation's invariants, property-tested: size bounds hold, nobody is placed twice for one kind
and topic, languages are never mixed, leftovers stay in the pool, the same input gives the same
groups, repeat pairings are avoided when avoidable."""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hearth_groups.domain.formation import (
    Formation,
    Interest,
    Pair,
    Remainder,
    first_interest_each,
    form,
    group_count,
    repeat_pairs,
)
from hearth_groups.domain.kinds import KINDS, Kind, Regions

# Examples run on a shared machine: their timing is not what is tested.
no_deadline = settings(deadline=None)
PEOPLE = [uuid.UUID(int=n + 1) for n in range(80)]
T0 = datetime(2026, 11, 1, tzinfo=UTC)

interests = st.builds(
    Interest,
    expressed_at=st.integers(0, 50).map(lambda m: T0 + timedelta(minutes=m)),
    person_id=st.sampled_from(PEOPLE),
    kind=st.sampled_from(list(Kind)),
    topic=st.sampled_from(["", "justice", "clinical"]),
    language=st.sampled_from(["en", "fr"]),
    region=st.sampled_from([None, "NS", "NB"]),
)
pools = st.lists(interests, max_size=160)
remainders = st.sampled_from(list(Remainder))


def placed_entries(formation: Formation) -> list[tuple[uuid.UUID, Kind, str]]:
    return [(m.person_id, g.kind, g.topic) for g in formation.groups for m in g.members]


@no_deadline
@given(pools, remainders)
def test_every_group_is_within_its_kinds_size_bounds(pool: list[Interest], remainder: Remainder) -> None:
    for group in form(pool, KINDS, remainder=remainder).groups:
        rules = KINDS[group.kind]
        largest = rules.max_size + (1 if remainder is Remainder.SIZE_PLUS_ONE else 0)
        assert rules.min_size <= len(group.members) <= largest


@no_deadline
@given(pools, remainders)
def test_nobody_is_placed_twice_for_one_kind_and_topic(pool: list[Interest], remainder: Remainder) -> None:
    formation = form(pool, KINDS, remainder=remainder)
    everywhere = placed_entries(formation) + [(i.person_id, i.kind, i.topic) for i in formation.left_in_pool]
    assert len(everywhere) == len(set(everywhere))


@no_deadline
@given(pools, st.data())
def test_people_already_in_a_group_of_that_kind_and_topic_are_not_placed(
    pool: list[Interest], data: st.DataObject
) -> None:
    entries = sorted({(i.person_id, i.kind, i.topic) for i in pool})
    already = frozenset(data.draw(st.lists(st.sampled_from(entries), unique=True)) if entries else [])
    formation = form(pool, KINDS, already_placed=already)
    assert not already & set(placed_entries(formation))
    assert not already & {(i.person_id, i.kind, i.topic) for i in formation.left_in_pool}


@no_deadline
@given(pools)
def test_languages_are_never_mixed_and_in_person_kinds_keep_one_region(pool: list[Interest]) -> None:
    for group in form(pool, KINDS).groups:
        assert {m.language for m in group.members} == {group.language}
        assert {(m.kind, m.topic) for m in group.members} == {(group.kind, group.topic)}
        if KINDS[group.kind].regions is Regions.TOGETHER:
            assert {m.region or "" for m in group.members} == {group.region or ""}


@no_deadline
@given(pools, remainders)
def test_everyone_not_placed_stays_in_the_pool(pool: list[Interest], remainder: Remainder) -> None:
    formation = form(pool, KINDS, remainder=remainder)
    placed = [m for g in formation.groups for m in g.members]
    assert sorted(placed + list(formation.left_in_pool)) == first_interest_each(pool)


@no_deadline
@given(pools)
def test_leftovers_only_when_they_cannot_be_placed(pool: list[Interest]) -> None:
    """Per kind, topic, language (and region where kept together): as many groups as fit."""
    formation = form(pool, KINDS)
    sizes: Counter[tuple[Kind, str, str, str]] = Counter()
    for i in first_interest_each(pool):
        together = KINDS[i.kind].regions is Regions.TOGETHER
        sizes[(i.kind, i.topic, i.language, (i.region or "") if together else "")] += 1
    formed = Counter(
        (g.kind, g.topic, g.language, g.region or "") for g in formation.groups for _ in g.members
    )
    for key, n in sizes.items():
        rules = KINDS[key[0]]
        count = group_count(n, rules.min_size, rules.max_size)
        assert formed[key] == min(n, count * rules.max_size)


@no_deadline
@given(pools, st.randoms(use_true_random=False))
def test_the_same_input_in_any_order_gives_the_same_groups(pool: list[Interest], rnd: random.Random) -> None:
    shuffled = list(pool)
    rnd.shuffle(shuffled)
    assert form(shuffled, KINDS) == form(pool, KINDS)


@no_deadline
@given(
    st.sampled_from([Kind.PEER_SUPPORT, Kind.PEER_SUPERVISION]), st.data(), st.randoms(use_true_random=False)
)
def test_past_co_members_are_not_matched_again_when_avoidable(
    kind: Kind, data: st.DataObject, rnd: random.Random
) -> None:
    """Past pairs that form a matching (each person at most one past co-member), with at least
    two groups to choose from, always leave every group free of repeats."""
    n = data.draw(st.integers(KINDS[kind].max_size + 1, len(PEOPLE)))
    people = PEOPLE[:n]
    pool = [Interest(T0 + timedelta(minutes=i), p, kind, "", "en", "NS") for i, p in enumerate(people)]
    shuffled = list(people)
    rnd.shuffle(shuffled)
    pairs: frozenset[Pair] = frozenset(
        frozenset(shuffled[i : i + 2]) for i in range(0, len(shuffled) - 1, 2) if rnd.random() < 0.7
    )
    formation = form(pool, KINDS, past_pairs=pairs)
    assert len(formation.groups) >= 2
    partners: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for a, b in (sorted(p) for p in pairs):
        partners[a].add(b)
        partners[b].add(a)
    assert [repeat_pairs(g.person_ids, partners) for g in formation.groups] == [0] * len(formation.groups)


def test_a_pair_is_kept_together_only_when_there_is_one_group() -> None:
    people = PEOPLE[:5]
    pool = [Interest(T0, p, Kind.PEER_SUPERVISION, "", "fr", "NB") for p in people]
    formation = form(pool, KINDS, past_pairs=frozenset({frozenset(people[:2])}))
    assert [len(g.members) for g in formation.groups] == [5]


def test_a_remainder_goes_to_a_group_of_size_plus_one_or_stays_in_the_pool() -> None:
    """With bounds 6–7 (an association's own choice: kinds are data), 8 people make one group."""
    tight = KINDS | {Kind.PEER_SUPERVISION: replace(KINDS[Kind.PEER_SUPERVISION], min_size=6, max_size=7)}
    pool = [Interest(T0 + timedelta(minutes=i), p, Kind.PEER_SUPERVISION, "", "en", "NS") for i, p in
            enumerate(PEOPLE[:8])]  # fmt: skip
    kept = form(pool, tight, remainder=Remainder.POOL)
    assert [len(g.members) for g in kept.groups] == [7]
    assert [i.person_id for i in kept.left_in_pool] == [PEOPLE[7]]  # the latest to express it
    grown = form(pool, tight, remainder=Remainder.SIZE_PLUS_ONE)
    assert [len(g.members) for g in grown.groups] == [8]
    assert grown.left_in_pool == ()
    assert form(pool[:5], tight).left_in_pool == tuple(pool[:5])  # too few: all wait in the pool


def test_regions_are_spread_where_the_kind_says() -> None:
    people = PEOPLE[:12]
    pool = [
        Interest(T0 + timedelta(minutes=i), p, Kind.ADVOCACY_CAMPAIGN, "housing", "en", ["NS", "NB"][i % 2])
        for i, p in enumerate(people)
    ]
    # 12 people, 3–40 a group: one group with both regions.
    (group,) = form(pool, KINDS).groups
    assert {m.region for m in group.members} == {"NS", "NB"}
