"""The attendance table: the newest revision of each person's attendance at each activity (it may
arrive before its activity's policy)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from hearth_shared.db import Connection

from ..domain.attendance import Attendance, Pair


async def keep(conn: Connection, records: Sequence[Attendance]) -> set[Pair]:
    """Store each record's revision unless a newer one is already here; return the pairs whose
    attendance changed. One record per pair, in pair order (`domain.attendance.newest_per_pair`)."""
    rows = await conn.fetch(
        """INSERT INTO attendance (id, activity_id, person_id, minutes_attended, revision)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::int[])
           ON CONFLICT (activity_id, person_id) DO UPDATE
               SET minutes_attended = EXCLUDED.minutes_attended, revision = EXCLUDED.revision
               WHERE attendance.revision < EXCLUDED.revision
           RETURNING activity_id, person_id""",
        [r.id for r in records],
        [r.activity_id for r in records],
        [r.person_id for r in records],
        [r.minutes_attended for r in records],
        [r.revision for r in records],
    )
    return {(r["activity_id"], r["person_id"]) for r in rows}


async def fetch(conn: Connection, pairs: Sequence[Pair]) -> dict[Pair, Attendance]:
    rows = await conn.fetch(
        """SELECT a.id, a.activity_id, a.person_id, a.minutes_attended, a.revision FROM attendance a
           JOIN unnest($1::uuid[], $2::uuid[]) AS p(activity_id, person_id) USING (activity_id, person_id)""",
        [a for a, _ in pairs],
        [p for _, p in pairs],
    )
    return {(r["activity_id"], r["person_id"]): Attendance(**dict(r)) for r in rows}


async def people_present(conn: Connection, activity_id: uuid.UUID) -> list[uuid.UUID]:
    """Everyone with attendance at the activity."""
    rows = await conn.fetch("SELECT person_id FROM attendance WHERE activity_id = $1", activity_id)
    return [r["person_id"] for r in rows]
