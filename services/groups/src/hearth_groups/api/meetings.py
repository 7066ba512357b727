"""Group meetings: schedule (or move), cancel, list; attendance taken and read by the facilitator."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, status
from pydantic import AwareDatetime, BaseModel, Field

from hearth_shared.contracts.catalogue import Modality, TimeZoneName
from hearth_shared.contracts.text import CleanStr
from hearth_shared.messaging import begin

from ..actions import access
from ..actions import meetings as actions
from ..events import SERVICE
from ..store import meetings
from ..store.meetings import MeetingRow
from .deps import ActorDep, AttendanceTaker, Participant, PoolDep, Reader

router = APIRouter(tags=["meetings"])


class MeetingIn(BaseModel):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    time_zone: TimeZoneName | None = Field(default=None, description="Default: the group's zone")
    modality: Modality = Modality.VIRTUAL
    venue: CleanStr | None = Field(default=None, max_length=300)
    join_url: CleanStr | None = Field(default=None, max_length=500)


class MeetingOut(BaseModel):
    id: uuid.UUID
    group_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    modality: Modality
    venue: str | None
    status: str
    attendance_count: int


class Present(BaseModel):
    person_id: uuid.UUID
    minutes: int = Field(ge=0, le=24 * 60)


class AttendanceIn(BaseModel):
    attendees: list[Present] = Field(max_length=500)


def _out(m: MeetingRow) -> MeetingOut:
    return MeetingOut.model_validate(m, from_attributes=True)


@router.post("/groups/{group_id}/meetings", status_code=status.HTTP_201_CREATED)
async def schedule_meeting(
    _: Participant, group_id: uuid.UUID, body: MeetingIn, actor: ActorDep, pool: PoolDep
) -> MeetingOut:
    return await _schedule(uuid.uuid4(), group_id, body, actor, pool)


@router.put("/groups/{group_id}/meetings/{meeting_id}")
async def move_meeting(
    _: Participant,
    group_id: uuid.UUID,
    meeting_id: uuid.UUID,
    body: MeetingIn,
    actor: ActorDep,
    pool: PoolDep,
) -> MeetingOut:
    return await _schedule(meeting_id, group_id, body, actor, pool)


async def _schedule(
    meeting_id: uuid.UUID, group_id: uuid.UUID, body: MeetingIn, actor: ActorDep, pool: PoolDep
) -> MeetingOut:
    async with begin(pool, SERVICE) as work:
        view = await access.seen(work.conn, group_id, actor)
        meeting = MeetingRow(
            id=meeting_id,
            group_id=group_id,
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            time_zone=body.time_zone or view.group.time_zone,
            modality=body.modality,
            venue=body.venue,
            join_url=body.join_url,
            status="scheduled",
            attendance_count=0,
        )
        await actions.schedule(work, meeting, actor)
        saved = await meetings.get(work.conn, meeting_id)
    assert saved is not None
    return _out(saved)


@router.delete("/groups/{group_id}/meetings/{meeting_id}", status_code=status.HTTP_204_NO_CONTENT)
async def cancel_meeting(
    _: Participant, group_id: uuid.UUID, meeting_id: uuid.UUID, actor: ActorDep, pool: PoolDep
) -> None:
    async with begin(pool, SERVICE) as work:
        await actions.cancel(work, group_id, meeting_id, actor)


@router.get("/groups/{group_id}/meetings")
async def group_meetings(_: Reader, group_id: uuid.UUID, actor: ActorDep, pool: PoolDep) -> list[MeetingOut]:
    async with pool.acquire() as conn:
        await access.seen(conn, group_id, actor)
        return [_out(m) for m in await meetings.of_group(conn, group_id)]


@router.put("/groups/{group_id}/meetings/{meeting_id}/attendance")
async def take_attendance(
    _: AttendanceTaker,
    group_id: uuid.UUID,
    meeting_id: uuid.UUID,
    body: AttendanceIn,
    actor: ActorDep,
    pool: PoolDep,
) -> dict[str, int]:
    """The facilitator's sheet: who was present and for how many minutes (all of it, each time)."""
    sheet = {p.person_id: p.minutes for p in body.attendees}
    async with begin(pool, SERVICE) as work:
        changed = await actions.take_attendance(work, group_id, meeting_id, sheet, actor)
    return {"changed": changed}


@router.get("/groups/{group_id}/meetings/{meeting_id}/attendance")
async def meeting_attendance(
    _: Reader, group_id: uuid.UUID, meeting_id: uuid.UUID, actor: ActorDep, pool: PoolDep
) -> list[Present]:
    """Who attended: a roster too, so only to those who may see the group's."""
    async with pool.acquire() as conn:
        access.require_roster(await access.seen(conn, group_id, actor))
        meeting = await meetings.get(conn, meeting_id)
        if meeting is None or meeting.group_id != group_id:
            return []
        kept = await meetings.attendance(conn, meeting_id)
    return [Present(person_id=r.person_id, minutes=r.minutes) for r in kept.values() if r.minutes > 0]
