"""Daily digests already sent (one per person and day)."""

from __future__ import annotations

import uuid
from datetime import date

from hearth_shared.db import Connection


async def claim_day(conn: Connection, person_id: uuid.UUID, day: date) -> bool:
    """True the first time a digest is made for this person and day."""
    return bool(
        await conn.fetchval(
            "INSERT INTO digests (person_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING true",
            person_id,
            day,
        )
    )
