"""Attendance records, the CSV imports they came from, and feedback from those who attended."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg

from hearth_shared.db import Connection


async def upsert(
    conn: Connection, gathering_id: uuid.UUID, person_id: uuid.UUID, minutes: int, source: str
) -> asyncpg.Record | None:
    """The record, new or corrected (next revision); None when it already says `minutes`."""
    return await conn.fetchrow(
        """INSERT INTO attendance (id, gathering_id, person_id, minutes_attended, source)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (gathering_id, person_id) DO UPDATE
               SET minutes_attended = EXCLUDED.minutes_attended, source = EXCLUDED.source,
                   revision = attendance.revision + 1, recorded_at = now()
               WHERE attendance.minutes_attended <> EXCLUDED.minutes_attended
           RETURNING *""",
        uuid.uuid4(),
        gathering_id,
        person_id,
        minutes,
        source,
    )


async def for_person(
    conn: Connection, gathering_id: uuid.UUID, person_id: uuid.UUID
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM attendance WHERE gathering_id = $1 AND person_id = $2", gathering_id, person_id
    )


async def list_for_gathering(conn: Connection, gathering_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT a.*, p.name, p.email FROM attendance a JOIN people p ON p.id = a.person_id
           WHERE a.gathering_id = $1 ORDER BY p.name, p.email""",
        gathering_id,
    )


async def save_import(
    conn: Connection,
    gathering_id: uuid.UUID,
    filename: str | None,
    rows_read: int,
    people_recorded: int,
    errors: list[dict[str, Any]],
) -> asyncpg.Record:
    row = await conn.fetchrow(
        """INSERT INTO attendance_imports (id, gathering_id, filename, rows_read, people_recorded, errors)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING *""",
        uuid.uuid4(),
        gathering_id,
        filename,
        rows_read,
        people_recorded,
        json.dumps(errors, default=str),
    )
    assert row is not None
    return row


async def list_imports(conn: Connection, gathering_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM attendance_imports WHERE gathering_id = $1 ORDER BY imported_at DESC", gathering_id
    )


async def insert_feedback(
    conn: Connection,
    gathering_id: uuid.UUID,
    person_id: uuid.UUID,
    rating: int,
    comments: str | None,
    follow_up: list[dict[str, Any]],
) -> asyncpg.Record | None:
    """The person's feedback, or None when they already gave it for this gathering."""
    return await conn.fetchrow(
        """INSERT INTO feedback (id, gathering_id, person_id, benefit_rating, comments, follow_up)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb)
           ON CONFLICT (gathering_id, person_id) DO NOTHING RETURNING *""",
        uuid.uuid4(),
        gathering_id,
        person_id,
        rating,
        comments,
        json.dumps(follow_up),
    )


async def list_feedback(conn: Connection, gathering_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM feedback WHERE gathering_id = $1 ORDER BY submitted_at", gathering_id
    )
