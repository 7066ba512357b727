"""The rules beside formation: kinds, the two visibilities, proposals' edits, membership and
meetings' attendance."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearth_groups.domain import meetings, membership, proposals
from hearth_groups.domain.errors import GroupsRefused
from hearth_groups.domain.formation import Interest, Remainder, form
from hearth_groups.domain.kinds import (
    KINDS,
    Audience,
    JoinPolicy,
    Kind,
    UnknownPracticeArea,
    VisibilityRefused,
    check_visibilities,
    topic_for,
)
from hearth_groups.domain.membership import Place
from hearth_groups.domain.visibility import Access, Actor, Role, may_see_group, may_see_roster

# Examples run on a shared machine: their timing is not what is tested.
no_deadline = settings(deadline=None)
FACILITATOR = uuid.UUID(int=999)
actors = st.builds(Actor, role=st.sampled_from(list(Role)), person_id=st.sampled_from([None, FACILITATOR]))
accesses = st.builds(
    Access,
    existence=st.sampled_from(list(Audience)),
    roster=st.sampled_from(list(Audience)),
    facilitator_id=st.sampled_from([None, FACILITATOR]),
)


@no_deadline
@given(actors, accesses, st.booleans())
def test_whoever_sees_a_roster_sees_the_group(actor: Actor, access: Access, is_member: bool) -> None:
    if may_see_roster(actor, access, is_member):
        assert may_see_group(actor, access, is_member)


@no_deadline
@given(actors, accesses, st.booleans())
def test_staff_see_everything_and_a_members_only_roster_is_never_shown_to_others(
    actor: Actor, access: Access, is_member: bool
) -> None:
    if actor.is_staff:
        assert may_see_roster(actor, access, is_member)
    elif access.roster in (Audience.GROUP_MEMBERS, Audience.FACILITATOR_AND_STAFF):
        facilitator = actor.person_id is not None and actor.person_id == access.facilitator_id
        if not facilitator and not (is_member and access.roster is Audience.GROUP_MEMBERS):
            assert not may_see_roster(actor, access, is_member)


def test_a_hearth_member_sees_a_peer_group_exists_but_not_who_is_in_it() -> None:
    rules = KINDS[Kind.PEER_SUPPORT]
    access = Access(rules.existence, rules.roster, FACILITATOR)
    member = Actor(Role.MEMBER, uuid.uuid4())
    assert may_see_group(member, access, False)
    assert not may_see_roster(member, access, False)
    assert may_see_roster(member, access, True)
    assert not may_see_group(Actor(Role.GUEST), access, False)


def test_a_confidential_roster_cannot_be_widened() -> None:
    with pytest.raises(VisibilityRefused):
        check_visibilities(KINDS[Kind.PEER_SUPERVISION], Audience.PUBLIC, Audience.MEMBERS)
    with pytest.raises(VisibilityRefused):  # the roster never wider than the group itself
        check_visibilities(KINDS[Kind.ADVOCACY_CAMPAIGN], Audience.MEMBERS, Audience.PUBLIC)
    check_visibilities(KINDS[Kind.PEER_SUPERVISION], Audience.MEMBERS, Audience.FACILITATOR_AND_STAFF)


def test_every_kind_is_data_within_sane_bounds() -> None:
    assert set(KINDS) == set(Kind)
    assert (KINDS[Kind.PEER_SUPERVISION].min_size, KINDS[Kind.PEER_SUPERVISION].max_size) == (4, 8)
    assert KINDS[Kind.PEER_SUPERVISION].facilitator_by_staff
    assert KINDS[Kind.PEER_SUPERVISION].credit_category == "peer_supervision"


def test_a_practice_area_must_be_one_the_association_configured() -> None:
    areas = ("housing_and_poverty", "justice")
    assert topic_for(Kind.PRACTICE_AREA_CIRCLE, "justice", areas) == "justice"
    assert topic_for(Kind.PEER_SUPPORT, None, areas) == ""
    with pytest.raises(UnknownPracticeArea):
        topic_for(Kind.PRACTICE_AREA_CIRCLE, None, areas)
    with pytest.raises(UnknownPracticeArea):
        topic_for(Kind.ADVOCACY_CAMPAIGN, "astrology", areas)


T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _pool(language: str, n: int, offset: int = 0) -> list[Interest]:
    return [
        Interest(
            T0 + timedelta(minutes=i), uuid.UUID(int=offset + i + 1), Kind.PEER_SUPPORT, "", language, "NS"
        )
        for i in range(n)
    ]


def test_edits_move_split_and_merge_keep_everyone_exactly_once() -> None:
    formation = form(_pool("en", 16) + _pool("fr", 5, offset=100), KINDS)
    assert [len(g.members) for g in formation.groups] == [8, 8, 5]
    somebody = formation.groups[0].members[0].person_id
    moved = proposals.move(formation, somebody, 1)
    assert [len(g.members) for g in moved.groups] == [7, 9, 5]
    with pytest.raises(proposals.EditRefused):
        proposals.move(formation, somebody, 2)  # into the French group
    with pytest.raises(proposals.EditRefused):
        proposals.merge(formation, 0, 2)
    pooled = proposals.move(moved, somebody, None)
    assert [i.person_id for i in pooled.left_in_pool] == [somebody]
    split = proposals.split(formation, 0, set(formation.groups[0].person_ids[:4]))
    assert [len(g.members) for g in split.groups] == [4, 4, 8, 5]
    merged = proposals.merge(split, 0, 1)
    assert merged == formation
    everyone = [*sorted(p for g in pooled.groups for p in g.person_ids), somebody]
    assert sorted(everyone) == sorted(p for g in formation.groups for p in g.person_ids)
    assert proposals.from_document(proposals.to_document(split)) == split


def test_publishing_checks_sizes() -> None:
    formation = form(_pool("en", 10), KINDS)
    too_big = proposals.merge(proposals.split(formation, 0, set(formation.groups[0].person_ids[:1])), 0, 1)
    proposals.check_sizes(too_big, KINDS, Remainder.POOL)
    tiny = proposals.split(formation, 0, set(formation.groups[0].person_ids[:2]))
    with pytest.raises(proposals.SizeRefused):
        proposals.check_sizes(tiny, KINDS, Remainder.POOL)


def test_join_follows_the_groups_policy() -> None:
    assert membership.on_join(JoinPolicy.OPEN, None, 3, 10) is Place.MEMBER
    assert membership.on_join(JoinPolicy.BY_REQUEST, None, 3, 10) is Place.REQUESTED
    assert membership.on_join(JoinPolicy.INVITATION, Place.INVITED, 3, 10) is Place.MEMBER
    assert membership.on_decision(Place.REQUESTED, False, 3, 10) is Place.DECLINED
    refusals: list[Callable[[], object]] = [
        lambda: membership.on_join(JoinPolicy.INVITATION, None, 3, 10),
        lambda: membership.on_join(JoinPolicy.OPEN, Place.MEMBER, 3, 10),
        lambda: membership.on_join(JoinPolicy.OPEN, None, 10, 10),
        lambda: membership.on_decision(None, True, 3, 10),
        lambda: membership.on_accept(Place.LEFT, 3, 10),
        lambda: membership.on_leave(Place.REQUESTED),
    ]
    for refused in refusals:
        with pytest.raises(GroupsRefused):
            refused()


def test_attendance_changes_are_new_revisions_and_an_absence_corrects_to_zero() -> None:
    a, b = uuid.UUID(int=1), uuid.UUID(int=2)
    first = meetings.attendance_changes({}, {a: 90, b: 60}, 90)
    assert first == [meetings.Recorded(a, 90, 1), meetings.Recorded(b, 60, 1)]
    kept = {r.person_id: r for r in first}
    assert meetings.attendance_changes(kept, {a: 90, b: 60}, 90) == []
    assert meetings.attendance_changes(kept, {a: 80}, 90) == [
        meetings.Recorded(a, 80, 2),
        meetings.Recorded(b, 0, 2),
    ]
    with pytest.raises(meetings.MeetingRefused):
        meetings.attendance_changes({}, {a: 91}, 90)
    assert meetings.credit_hours(T0, T0 + timedelta(minutes=100)) == Decimal("1.5")
