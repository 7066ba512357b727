"""Group meetings: scheduled (or moved), cancelled, and attendance taken by the facilitator."""

from __future__ import annotations

import uuid

from hearth_shared.messaging import Work

from .. import events
from ..domain import meetings as rules
from ..domain.errors import NotFound
from ..domain.visibility import Actor
from ..store import groups, meetings
from ..store.meetings import MeetingRow
from .access import require_lead, seen


async def schedule(work: Work, meeting: MeetingRow, actor: Actor) -> MeetingRow:
    view = await seen(work.conn, meeting.group_id, actor, lock=True)
    require_lead(view)
    rules.check_times(meeting.starts_at, meeting.ends_at, meeting.modality, meeting.venue)
    await meetings.save(work.conn, meeting)
    for data in events.meeting_scheduled(view.group, meeting):
        await work.publish(data)
    return meeting


async def _meeting(work: Work, group_id: uuid.UUID, meeting_id: uuid.UUID) -> MeetingRow:
    meeting = await meetings.get(work.conn, meeting_id, lock=True)
    if meeting is None or meeting.group_id != group_id:
        raise NotFound("no such meeting in this group", "meeting_id")
    return meeting


async def cancel(work: Work, group_id: uuid.UUID, meeting_id: uuid.UUID, actor: Actor) -> None:
    view = await seen(work.conn, group_id, actor, lock=True)
    require_lead(view)
    meeting = await _meeting(work, group_id, meeting_id)
    if meeting.status == "cancelled":
        return
    await meetings.cancel(work.conn, meeting_id)
    for data in events.meeting_cancelled(view.group, meeting_id):
        await work.publish(data)


async def take_attendance(
    work: Work, group_id: uuid.UUID, meeting_id: uuid.UUID, sheet: dict[uuid.UUID, int], actor: Actor
) -> int:
    """The facilitator's sheet (person → minutes present): each change is published as
    AttendanceRecorded at a newer revision; return how many changed."""
    view = await seen(work.conn, group_id, actor, lock=True)
    require_lead(view)
    meeting = await _meeting(work, group_id, meeting_id)
    if meeting.status == "cancelled":
        raise rules.MeetingRefused("the meeting was cancelled", "meeting_id")
    members = set(await groups.member_ids(work.conn, group_id))
    if strangers := set(sheet) - members - {view.group.facilitator_id}:
        raise rules.MeetingRefused(f"{len(strangers)} on the sheet are not in this group", "attendees")
    changes = rules.attendance_changes(
        await meetings.attendance(work.conn, meeting_id), sheet, meeting.length_minutes
    )
    await meetings.keep_attendance(work.conn, meeting_id, changes)
    for recorded in changes:
        await work.publish(events.attendance(meeting_id, recorded))
    return len(changes)
