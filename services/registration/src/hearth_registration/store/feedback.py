"""Feedback from those who attended, with what they would like to follow up on."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from hearth_shared.db import Connection


@dataclass(frozen=True)
class Feedback:
    id: uuid.UUID
    gathering_id: uuid.UUID
    person_id: uuid.UUID
    benefit_rating: int
    comments: str | None
    follow_up: list[dict[str, Any]]  # interest, practice_area, language
    submitted_at: datetime


def _feedback(record: asyncpg.Record) -> Feedback:
    return Feedback(**{**dict(record), "follow_up": json.loads(record["follow_up"])})


async def insert_feedback(
    conn: Connection,
    gathering_id: uuid.UUID,
    person_id: uuid.UUID,
    rating: int,
    comments: str | None,
    follow_up: list[dict[str, Any]],
) -> Feedback | None:
    """The person's feedback, or None when they already gave it for this gathering."""
    record = await conn.fetchrow(
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
    return None if record is None else _feedback(record)


async def list_feedback(conn: Connection, gathering_id: uuid.UUID) -> list[Feedback]:
    records = await conn.fetch(
        "SELECT * FROM feedback WHERE gathering_id = $1 ORDER BY submitted_at", gathering_id
    )
    return [_feedback(r) for r in records]
