"""Groups as the groups service announces them: members remembered (and invited when a group
forms), meetings remembered and their reminders planned, moved or dropped."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from hearth_shared.contracts.catalogue import GroupFormed, GroupMeetingScheduled
from hearth_shared.messaging import Work

from ..domain import emails
from ..domain.plans import meeting_plans
from ..store import groups, people, plans
from .deliveries import links_of, send


async def form(work: Work, formed: GroupFormed) -> None:
    """Remember the founding members and invite each one."""
    await groups.join(work.conn, formed.group_id, formed.member_person_ids)
    found = await people.find(work.conn, formed.member_person_ids)
    await send(
        work, [emails.group_formed(to, formed.name, formed.purpose, links_of(work)) for to in found.values()]
    )


async def join(work: Work, group_id: uuid.UUID, person_id: uuid.UUID) -> None:
    await groups.join(work.conn, group_id, [person_id])


async def leave(work: Work, group_id: uuid.UUID, person_id: uuid.UUID) -> None:
    await groups.leave(work.conn, group_id, person_id)


async def schedule_meeting(
    work: Work, meeting: GroupMeetingScheduled, *, reminders: list[timedelta], now: datetime
) -> None:
    """Remember the meeting and plan (or move) its reminders."""
    await groups.save_meeting(
        work.conn, meeting.meeting_id, meeting.group_id, meeting.model_dump(mode="json")
    )
    await plans.replan(work.conn, meeting.meeting_id, meeting_plans(meeting.starts_at, reminders), now)


async def cancel_meeting(work: Work, meeting_id: uuid.UUID) -> None:
    await plans.drop(work.conn, meeting_id)
