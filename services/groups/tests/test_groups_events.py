"""What goes on the broker about a group: a narrow roster never travels in one event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from hearth_groups import events
from hearth_groups.actions.groups import GroupSpec, _row
from hearth_groups.domain.kinds import Kind
from hearth_groups.settings import GroupsSettings
from hearth_groups.store.groups import GroupRow
from hearth_groups.store.meetings import MeetingRow
from hearth_shared.contracts.catalogue import GatheringScheduled, GroupFormed, GroupMemberJoined, Modality

PEOPLE = [uuid.UUID(int=n) for n in range(1, 6)]


def group(kind: Kind) -> GroupRow:
    return _row(GroupSpec(kind, "", "fr", "America/Moncton"), uuid.uuid4(), None, len(PEOPLE), None)


def test_a_confidential_roster_goes_person_by_person_an_open_one_in_one_event() -> None:
    confidential = events.formed(group(Kind.PEER_SUPPORT), PEOPLE)
    assert [e.member_person_ids for e in confidential if isinstance(e, GroupFormed)] == [[p] for p in PEOPLE]
    [open_one] = events.formed(group(Kind.ADVOCACY_CAMPAIGN), PEOPLE)
    assert isinstance(open_one, GroupFormed)
    assert open_one.member_person_ids == PEOPLE


def test_a_circle_without_an_interest_value_announces_its_members_one_by_one() -> None:
    announced = events.formed(group(Kind.LANGUAGE_CIRCLE), PEOPLE)
    assert [type(e) for e in announced] == [GroupMemberJoined] * len(PEOPLE)


def test_a_peer_supervision_meeting_is_also_a_gathering_with_its_credit_policy() -> None:
    g = group(Kind.PEER_SUPERVISION)
    starts = datetime(2027, 1, 12, 17, tzinfo=UTC)
    meeting = MeetingRow(
        uuid.uuid4(), g.id, starts, starts + timedelta(minutes=100), "America/Moncton",
        Modality.VIRTUAL, None, None, "scheduled", 0,
    )  # fmt: skip
    [_, gathering] = events.meeting_scheduled(g, meeting)
    assert isinstance(gathering, GatheringScheduled)
    assert gathering.gathering_id == meeting.id
    assert gathering.credit_policy is not None
    assert (str(gathering.credit_policy.hours), gathering.credit_policy.category) == (
        "1.5",
        "peer_supervision",
    )
    assert len(events.meeting_scheduled(group(Kind.PEER_SUPPORT), meeting)) == 1  # earns no credit


def test_practice_areas_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARTH_PRACTICE_AREAS", '["justice", "clinical"]')
    assert GroupsSettings().practice_areas == ("justice", "clinical")
