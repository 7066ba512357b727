"""Breakouts of a gathering and the seat count kept on each."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from hearth_shared.contracts.catalogue import Language
from hearth_shared.db import Connection

from ..domain import Breakout
from .rows import many, one


@dataclass(frozen=True)
class BreakoutRow:
    """A breakout as stored; `as_choice()` is the domain's view of it for placing a person."""

    id: uuid.UUID
    gathering_id: uuid.UUID
    name_en: str
    name_fr: str
    language: Language | None
    practice_area: str | None
    capacity: int
    seats_taken: int
    created_by: uuid.UUID | None  # the staff member who added it (None: before tokens)

    def as_choice(self) -> Breakout:
        return Breakout(self.id, self.language, self.practice_area, self.capacity - self.seats_taken)


async def insert_breakout(
    conn: Connection,
    gathering_id: uuid.UUID,
    *,
    name_en: str,
    name_fr: str,
    language: Language | None,
    practice_area: str | None,
    capacity: int,
    by: uuid.UUID | None,
) -> BreakoutRow:
    record = await conn.fetchrow(
        """INSERT INTO breakouts (id, gathering_id, name_en, name_fr, language, practice_area, capacity,
                                  created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *""",
        uuid.uuid4(),
        gathering_id,
        name_en,
        name_fr,
        language,
        practice_area,
        capacity,
        by,
    )
    return one(BreakoutRow, record)


async def breakouts(conn: Connection, gathering_id: uuid.UUID) -> list[BreakoutRow]:
    records = await conn.fetch(
        "SELECT * FROM breakouts WHERE gathering_id = $1 ORDER BY name_en, id", gathering_id
    )
    return many(BreakoutRow, records)


async def take_breakout_seat(conn: Connection, breakout_id: uuid.UUID, gathering_id: uuid.UUID) -> bool:
    """Take one seat in the breakout if it is this gathering's and not full."""
    taken = await conn.fetchval(
        "UPDATE breakouts SET seats_taken = seats_taken + 1 "
        "WHERE id = $1 AND gathering_id = $2 AND seats_taken < capacity RETURNING id",
        breakout_id,
        gathering_id,
    )
    return taken is not None


async def release_breakout_seat(conn: Connection, breakout_id: uuid.UUID) -> None:
    await conn.execute("UPDATE breakouts SET seats_taken = seats_taken - 1 WHERE id = $1", breakout_id)
