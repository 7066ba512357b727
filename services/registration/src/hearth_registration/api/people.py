"""A person as staff see them: who they are, and every ticket they held with the attendance
recorded for it (the gateway's person page)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from hearth_shared.contracts.catalogue import Bilingual

from .. import domain, store
from .deps import TOTAL_HEADER, Pool, Staff

router = APIRouter(tags=["people"])


class PersonOut(BaseModel):
    id: uuid.UUID
    name: str
    email: str
    preferred_language: str
    member_id: str | None
    membership_status: str | None = Field(description="None: not on the membership register")
    profession: str | None
    regulatory_body: str | None
    region: str | None
    erased_at: datetime | None = Field(default=None, description="Set when the person's details were erased")


class AttendanceOut(BaseModel):
    minutes_attended: int
    revision: int
    source: str
    recorded_at: datetime


class PersonTicketOut(BaseModel):
    ticket_id: uuid.UUID
    gathering_id: uuid.UUID
    gathering_title: Bilingual
    starts_at: datetime
    time_zone: str
    gathering_status: str
    ticket_type: str
    price_cents: int
    currency: str
    status: str
    created_at: datetime
    cancelled_at: datetime | None
    breakout_id: uuid.UUID | None
    breakout: Bilingual | None
    attendance: AttendanceOut | None = Field(description="None: no attendance recorded")


def _ticket_out(row: store.history.TicketHistory) -> PersonTicketOut:
    attended = None
    if row.minutes_attended is not None:
        assert row.attendance_revision is not None
        assert row.attendance_recorded_at is not None
        attended = AttendanceOut(
            minutes_attended=row.minutes_attended,
            revision=row.attendance_revision,
            source=row.attendance_source or "",
            recorded_at=row.attendance_recorded_at,
        )
    breakout = (
        Bilingual(en=row.breakout_en, fr=row.breakout_fr) if row.breakout_en and row.breakout_fr else None
    )
    return PersonTicketOut(
        **{k: v for k, v in vars(row).items() if k in PersonTicketOut.model_fields},
        gathering_title=Bilingual(en=row.title_en, fr=row.title_fr),
        breakout=breakout,
        attendance=attended,
    )


@router.get("/people/{person_id}")
async def show_person(_: Staff, person_id: uuid.UUID, pool: Pool) -> PersonOut:
    async with pool.acquire() as conn:
        person = await store.history.find_person(conn, person_id)
    if person is None:
        raise domain.NotFound(f"no person {person_id}")
    return PersonOut(**{k: v for k, v in vars(person).items() if k in PersonOut.model_fields})


@router.get("/people/{person_id}/tickets")
async def list_tickets(
    _: Staff,
    person_id: uuid.UUID,
    pool: Pool,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[PersonTicketOut]:
    """Every ticket the person held (cancelled ones too), the latest gathering first, each with the
    attendance recorded for it; a page at a time (`X-Total-Count`: how many)."""
    async with pool.acquire() as conn:
        rows, total = await store.history.tickets_of(conn, person_id, limit=limit, offset=offset)
    response.headers[TOTAL_HEADER] = str(total)
    return [_ticket_out(r) for r in rows]
