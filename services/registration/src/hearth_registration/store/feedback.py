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
    updated_at: datetime | None  # set once the person has edited it


def _feedback(record: asyncpg.Record) -> Feedback:
    return Feedback(**{**dict(record), "follow_up": json.loads(record["follow_up"])})


_INSERT = """INSERT INTO feedback (id, gathering_id, person_id, benefit_rating, comments, follow_up)
             VALUES ($1, $2, $3, $4, $5, $6::jsonb)"""
_FIRST_ONLY = _INSERT + " ON CONFLICT (gathering_id, person_id) DO NOTHING RETURNING *"
_OR_REPLACE = (
    _INSERT
    + """ ON CONFLICT (gathering_id, person_id) DO UPDATE
              SET benefit_rating = EXCLUDED.benefit_rating, comments = EXCLUDED.comments,
                  follow_up = EXCLUDED.follow_up, updated_at = now()
          RETURNING *"""
)


async def save_feedback(
    conn: Connection,
    gathering_id: uuid.UUID,
    person_id: uuid.UUID,
    rating: int,
    comments: str | None,
    follow_up: list[dict[str, Any]],
    *,
    replace: bool,
) -> Feedback | None:
    """The person's one submission for the gathering: given now, or replaced by this edit when
    `replace`; None when they already gave it and `replace` is False."""
    record = await conn.fetchrow(
        _OR_REPLACE if replace else _FIRST_ONLY,
        uuid.uuid4(),
        gathering_id,
        person_id,
        rating,
        comments,
        json.dumps(follow_up),
    )
    return None if record is None else _feedback(record)


_FEEDBACK_OF = "SELECT * FROM feedback WHERE gathering_id = $1 AND person_id = $2"
_LOCKED_FEEDBACK_OF = "SELECT * FROM feedback WHERE gathering_id = $1 AND person_id = $2 FOR UPDATE"


async def feedback_of(
    conn: Connection, gathering_id: uuid.UUID, person_id: uuid.UUID, *, lock: bool = False
) -> Feedback | None:
    """One person's submission for the gathering (locked for an edit when `lock`)."""
    record = await conn.fetchrow(_LOCKED_FEEDBACK_OF if lock else _FEEDBACK_OF, gathering_id, person_id)
    return None if record is None else _feedback(record)


async def list_feedback(conn: Connection, gathering_id: uuid.UUID) -> list[Feedback]:
    records = await conn.fetch(
        "SELECT * FROM feedback WHERE gathering_id = $1 ORDER BY submitted_at", gathering_id
    )
    return [_feedback(r) for r in records]
