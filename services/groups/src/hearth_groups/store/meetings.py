"""Group meetings and the attendance taken at them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime

import asyncpg

from hearth_shared.contracts.catalogue import Modality
from hearth_shared.db import Connection

from ..domain.meetings import Recorded


@dataclass(frozen=True)
class MeetingRow:
    id: uuid.UUID
    group_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    modality: Modality
    venue: str | None
    join_url: str | None
    status: str
    attendance_count: int

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


COLUMNS = [f.name for f in fields(MeetingRow)]


def _row(r: asyncpg.Record) -> MeetingRow:
    return MeetingRow(**{c: r[c] for c in COLUMNS} | {"modality": Modality(r["modality"])})


async def save(conn: Connection, meeting: MeetingRow) -> None:
    """A new meeting, or a moved one (the same id again replaces its time and place)."""
    await conn.execute(
        "INSERT INTO meetings (id, group_id, starts_at, ends_at, time_zone, modality, venue, join_url) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE SET starts_at = $3, "
        "ends_at = $4, time_zone = $5, modality = $6, venue = $7, join_url = $8, status = 'scheduled'",
        meeting.id,
        meeting.group_id,
        meeting.starts_at,
        meeting.ends_at,
        meeting.time_zone,
        meeting.modality.value,
        meeting.venue,
        meeting.join_url,
    )


async def get(conn: Connection, meeting_id: uuid.UUID, *, lock: bool = False) -> MeetingRow | None:
    query = "SELECT * FROM meetings WHERE id = $1"
    row = await conn.fetchrow(f"{query} FOR UPDATE" if lock else query, meeting_id)
    return _row(row) if row else None


async def of_group(conn: Connection, group_id: uuid.UUID) -> list[MeetingRow]:
    rows = await conn.fetch("SELECT * FROM meetings WHERE group_id = $1 ORDER BY starts_at", group_id)
    return [_row(r) for r in rows]


async def cancel(conn: Connection, meeting_id: uuid.UUID) -> None:
    await conn.execute("UPDATE meetings SET status = 'cancelled' WHERE id = $1", meeting_id)


async def attendance(conn: Connection, meeting_id: uuid.UUID) -> dict[uuid.UUID, Recorded]:
    rows = await conn.fetch("SELECT * FROM attendance WHERE meeting_id = $1", meeting_id)
    return {r["person_id"]: Recorded(r["person_id"], r["minutes"], r["revision"]) for r in rows}


async def keep_attendance(conn: Connection, meeting_id: uuid.UUID, changes: Sequence[Recorded]) -> None:
    await conn.execute(
        "INSERT INTO attendance (meeting_id, person_id, minutes, revision) "
        "SELECT $1, * FROM unnest($2::uuid[], $3::int[], $4::int[]) "
        "ON CONFLICT (meeting_id, person_id) DO UPDATE SET minutes = EXCLUDED.minutes, "
        "revision = EXCLUDED.revision",
        meeting_id,
        [c.person_id for c in changes],
        [c.minutes for c in changes],
        [c.revision for c in changes],
    )
    await conn.execute(
        "UPDATE meetings SET attendance_count = "
        "(SELECT count(*) FROM attendance WHERE meeting_id = $1 AND minutes > 0) WHERE id = $1",
        meeting_id,
    )


async def erase_person(conn: Connection, person_id: uuid.UUID) -> None:
    """Their attendance rows go; each meeting's count of attendees stays as it was."""
    await conn.execute("DELETE FROM attendance WHERE person_id = $1", person_id)
