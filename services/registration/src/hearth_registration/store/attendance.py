"""Attendance records, and the CSV imports they came from."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from hearth_shared.db import Connection

from .rows import many, maybe


@dataclass(frozen=True)
class Attendance:
    id: uuid.UUID
    gathering_id: uuid.UUID
    person_id: uuid.UUID
    minutes_attended: int
    revision: int  # a correction is the next revision
    source: str  # check_in, import, reported, undone (a check-in taken back: 0 minutes)
    recorded_at: datetime
    recorded_by: uuid.UUID | None  # the staff member who last set it (None: another system)


@dataclass(frozen=True)
class NamedAttendance(Attendance):
    """An attendance record with the person's name and email, for staff."""

    name: str
    email: str
    erased_at: datetime | None  # set: the name and email are pseudonyms (erased on request)


@dataclass(frozen=True)
class AttendanceImport:
    id: uuid.UUID
    gathering_id: uuid.UUID
    filename: str | None
    rows_read: int
    people_recorded: int
    errors: list[dict[str, Any]]  # the rows it could not use: line, email, reason
    imported_at: datetime
    imported_by: uuid.UUID | None = None  # the staff member, as the gateway's token named them


def _import(record: asyncpg.Record) -> AttendanceImport:
    return AttendanceImport(**{**dict(record), "errors": json.loads(record["errors"])})


async def upsert(
    conn: Connection,
    gathering_id: uuid.UUID,
    person_id: uuid.UUID,
    minutes: int,
    source: str,
    recorded_by: uuid.UUID | None = None,
) -> Attendance | None:
    """The record, new or corrected (next revision); None when it already says `minutes`."""
    record = await conn.fetchrow(
        """INSERT INTO attendance (id, gathering_id, person_id, minutes_attended, source, recorded_by)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (gathering_id, person_id) DO UPDATE
               SET minutes_attended = EXCLUDED.minutes_attended, source = EXCLUDED.source,
                   recorded_by = EXCLUDED.recorded_by,
                   revision = attendance.revision + 1, recorded_at = now()
               WHERE attendance.minutes_attended <> EXCLUDED.minutes_attended
           RETURNING *""",
        uuid.uuid4(),
        gathering_id,
        person_id,
        minutes,
        source,
        recorded_by,
    )
    return maybe(Attendance, record)


async def for_person(conn: Connection, gathering_id: uuid.UUID, person_id: uuid.UUID) -> Attendance | None:
    record = await conn.fetchrow(
        "SELECT * FROM attendance WHERE gathering_id = $1 AND person_id = $2", gathering_id, person_id
    )
    return maybe(Attendance, record)


async def list_for_gathering(conn: Connection, gathering_id: uuid.UUID) -> list[NamedAttendance]:
    records = await conn.fetch(
        """SELECT a.*, p.name, p.email, p.erased_at FROM attendance a JOIN people p ON p.id = a.person_id
           WHERE a.gathering_id = $1 ORDER BY p.name, p.email""",
        gathering_id,
    )
    return many(NamedAttendance, records)


async def save_import(
    conn: Connection,
    gathering_id: uuid.UUID,
    filename: str | None,
    rows_read: int,
    people_recorded: int,
    errors: list[dict[str, Any]],
    imported_by: uuid.UUID,
) -> AttendanceImport:
    record = await conn.fetchrow(
        """INSERT INTO attendance_imports
               (id, gathering_id, filename, rows_read, people_recorded, errors, imported_by)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) RETURNING *""",
        uuid.uuid4(),
        gathering_id,
        filename,
        rows_read,
        people_recorded,
        json.dumps(errors, default=str),
        imported_by,
    )
    assert record is not None
    return _import(record)


async def list_imports(conn: Connection, gathering_id: uuid.UUID) -> list[AttendanceImport]:
    records = await conn.fetch(
        "SELECT * FROM attendance_imports WHERE gathering_id = $1 ORDER BY imported_at DESC", gathering_id
    )
    return [_import(r) for r in records]


@dataclass(frozen=True)
class Figures:
    """A gathering at a glance, as the staff dashboard shows it."""

    gathering_id: uuid.UUID
    registered: int  # tickets holding a seat: active, or awaiting payment
    present: int  # attendance records of more than 0 minutes (an undone check-in is 0)
    waiting: int  # waiting or offered on the waiting list
    feedback: int
    average_rating: float | None


async def figures(conn: Connection, gathering_ids: list[uuid.UUID]) -> list[Figures]:
    """Counted in the database, for several gatherings in one statement: the dashboard never
    fetches the lists themselves."""
    records = await conn.fetch(
        """SELECT g.id AS gathering_id,
                  (SELECT count(*) FROM tickets t WHERE t.gathering_id = g.id
                                                     AND t.status IN ('active', 'awaiting_payment'))
                      AS registered,
                  (SELECT count(*) FROM attendance a WHERE a.gathering_id = g.id AND a.minutes_attended > 0)
                      AS present,
                  (SELECT count(*) FROM waitlist w WHERE w.gathering_id = g.id
                                                     AND w.status IN ('waiting', 'offered')) AS waiting,
                  (SELECT count(*) FROM feedback f WHERE f.gathering_id = g.id) AS feedback,
                  (SELECT avg(benefit_rating)::float FROM feedback f WHERE f.gathering_id = g.id)
                      AS average_rating
           FROM unnest($1::uuid[]) AS g(id)""",
        gathering_ids,
    )
    return many(Figures, records)
