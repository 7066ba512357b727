"""A person's history with the association as staff see it on the person page: every ticket they
held, the gathering it was for, and the attendance recorded there."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from hearth_shared.db import Connection

from .people import Person
from .rows import many, maybe


@dataclass(frozen=True)
class TicketHistory:
    ticket_id: uuid.UUID
    gathering_id: uuid.UUID
    title_en: str
    title_fr: str
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
    breakout_en: str | None
    breakout_fr: str | None
    minutes_attended: int | None  # None: no attendance recorded
    attendance_revision: int | None
    attendance_source: str | None
    attendance_recorded_at: datetime | None


async def find_person(conn: Connection, person_id: uuid.UUID) -> Person | None:
    return maybe(Person, await conn.fetchrow("SELECT * FROM people WHERE id = $1", person_id))


async def tickets_of(
    conn: Connection, person_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[TicketHistory], int]:
    """One page of the person's tickets, the latest gathering first, and how many they held."""
    records = await conn.fetch(
        """SELECT t.id AS ticket_id, t.gathering_id, g.title_en, g.title_fr, g.starts_at, g.time_zone,
                  g.status AS gathering_status, t.ticket_type, t.price_cents, t.currency, t.status,
                  t.created_at, t.cancelled_at, t.breakout_id, b.name_en AS breakout_en,
                  b.name_fr AS breakout_fr, a.minutes_attended, a.revision AS attendance_revision,
                  a.source AS attendance_source, a.recorded_at AS attendance_recorded_at
           FROM tickets t JOIN gatherings g ON g.id = t.gathering_id
                LEFT JOIN breakouts b ON b.id = t.breakout_id
                LEFT JOIN attendance a ON a.gathering_id = t.gathering_id AND a.person_id = t.person_id
           WHERE t.person_id = $1
           ORDER BY g.starts_at DESC, t.created_at DESC LIMIT $2 OFFSET $3""",
        person_id,
        limit,
        offset,
    )
    total = await conn.fetchval("SELECT count(*) FROM tickets WHERE person_id = $1", person_id)
    return many(TicketHistory, records), int(total)
