"""The feedback_given table: who has sent the feedback form a certificate may wait for."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from hearth_shared.db import Connection

from ..domain.attendance import Pair


async def given(conn: Connection, pairs: Sequence[Pair]) -> set[Pair]:
    rows = await conn.fetch(
        """SELECT activity_id, person_id FROM feedback_given
           JOIN unnest($1::uuid[], $2::uuid[]) AS p(activity_id, person_id) USING (activity_id, person_id)""",
        [a for a, _ in pairs],
        [p for _, p in pairs],
    )
    return {(r["activity_id"], r["person_id"]) for r in rows}


async def record(conn: Connection, activity_id: uuid.UUID, person_id: uuid.UUID) -> None:
    await conn.execute(
        "INSERT INTO feedback_given (activity_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        activity_id,
        person_id,
    )
