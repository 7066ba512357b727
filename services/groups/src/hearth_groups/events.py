"""How groups' rows become contracts, and what goes on the broker about a group.

A roster that only its members and staff may see never travels in one event: GroupFormed then
goes once per member, naming only that member (their invitation), so no consumer learns the
others (docs/groups.md, "Confidentiality on the broker")."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from hearth_shared.contracts import EventData
from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    Bilingual,
    CreditCategory,
    CreditPolicy,
    GatheringCancelled,
    GatheringKind,
    GatheringScheduled,
    GroupFormed,
    GroupMeetingCancelled,
    GroupMeetingScheduled,
    GroupMemberJoined,
    GroupMemberLeft,
    Interest,
)

from .domain.kinds import INTEREST_OF_KIND, KINDS
from .domain.meetings import MINIMUM_ATTENDANCE_FRACTION, Recorded, attendance_id, credit_hours
from .domain.visibility import roster_goes_on_events
from .store.groups import GroupRow
from .store.meetings import MeetingRow

SERVICE = "groups"


def name_of(group: GroupRow) -> Bilingual:
    return Bilingual(en=group.name_en, fr=group.name_fr)


def formed(group: GroupRow, member_ids: Sequence[uuid.UUID]) -> list[EventData]:
    """What publishing a group tells the others. Kinds GroupFormed v1 does not name as a purpose
    yet (the circles, see `INTEREST_OF_KIND`): their members arrive as GroupMemberJoined."""
    interest = INTEREST_OF_KIND.get(group.kind)
    if interest is None:
        return [joined(group.id, person_id) for person_id in member_ids]

    def event(ids: list[uuid.UUID]) -> GroupFormed:
        return GroupFormed(
            group_id=group.id,
            name=name_of(group),
            purpose=Interest(interest),
            practice_area=group.topic or None,
            language=group.language,
            member_person_ids=ids,
        )

    if roster_goes_on_events(group.roster_visibility):
        return [event(list(member_ids))]
    return [event([person_id]) for person_id in member_ids]


def joined(group_id: uuid.UUID, person_id: uuid.UUID) -> GroupMemberJoined:
    return GroupMemberJoined(group_id=group_id, person_id=person_id)


def left(group_id: uuid.UUID, person_id: uuid.UUID) -> GroupMemberLeft:
    return GroupMemberLeft(group_id=group_id, person_id=person_id)


def meeting_scheduled(group: GroupRow, meeting: MeetingRow) -> list[EventData]:
    """The meeting for reminders; and, where the kind earns CPD credit, the meeting as a gathering
    with its credit policy, which is how credits learns what attendance there is worth."""
    events: list[EventData] = [
        GroupMeetingScheduled(
            meeting_id=meeting.id,
            group_id=group.id,
            group_name=name_of(group),
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            time_zone=meeting.time_zone,
            join_url=meeting.join_url,
            venue=meeting.venue,
        )
    ]
    category = KINDS[group.kind].credit_category
    hours = credit_hours(meeting.starts_at, meeting.ends_at)
    if category is not None and hours > 0:
        events.append(
            GatheringScheduled(
                gathering_id=meeting.id,
                title=name_of(group),
                kind=GatheringKind.GROUP_MEETING,
                modality=meeting.modality,
                starts_at=meeting.starts_at,
                ends_at=meeting.ends_at,
                time_zone=meeting.time_zone,
                capacity=group.max_size + 1,
                venue=meeting.venue,
                credit_policy=CreditPolicy(
                    hours=hours,
                    minimum_attendance_fraction=MINIMUM_ATTENDANCE_FRACTION,
                    category=CreditCategory(category),
                ),
            )
        )
    return events


def meeting_cancelled(group: GroupRow, meeting_id: uuid.UUID) -> list[EventData]:
    events: list[EventData] = [GroupMeetingCancelled(meeting_id=meeting_id, group_id=group.id)]
    if KINDS[group.kind].credit_category is not None:
        events.append(GatheringCancelled(gathering_id=meeting_id, reason="group meeting cancelled"))
    return events


def attendance(meeting_id: uuid.UUID, recorded: Recorded) -> AttendanceRecorded:
    return AttendanceRecorded(
        attendance_id=attendance_id(meeting_id, recorded.person_id),
        gathering_id=meeting_id,
        person_id=recorded.person_id,
        minutes_attended=recorded.minutes,
        revision=recorded.revision,
    )
