"""Breakouts of a gathering: adding them, listing them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from hearth_shared.contracts.catalogue import Bilingual, Language
from hearth_shared.contracts.text import CleanStr
from hearth_shared.messaging import begin

from .. import store
from ..actions import gatherings
from ..events import SERVICE
from ..store.breakouts import BreakoutRow
from .deps import Coordinator, Pool, StaffOrPublic, staff_member

router = APIRouter(tags=["gatherings", "breakouts"])


class BreakoutIn(BaseModel):
    name: Bilingual
    language: Language | None = Field(default=None, description="Leave out: any language")
    practice_area: CleanStr | None = Field(default=None, max_length=100, examples=["housing_and_poverty"])
    capacity: int = Field(ge=1, le=100_000)


class BreakoutOut(BaseModel):
    id: uuid.UUID
    name: Bilingual
    language: Language | None
    practice_area: str | None
    capacity: int
    seats_taken: int
    created_by: uuid.UUID | None = Field(
        default=None, description="The staff member who added it (null: before staff tokens)"
    )


def breakout_out(row: BreakoutRow) -> BreakoutOut:
    return BreakoutOut(
        id=row.id,
        name=Bilingual(en=row.name_en, fr=row.name_fr),
        language=row.language,
        practice_area=row.practice_area,
        capacity=row.capacity,
        seats_taken=row.seats_taken,
        created_by=row.created_by,
    )


@router.post("/gatherings/{gathering_id}/breakouts", status_code=status.HTTP_201_CREATED)
async def add_breakout(
    caller: Coordinator, gathering_id: uuid.UUID, body: BreakoutIn, pool: Pool
) -> BreakoutOut:
    async with begin(pool, SERVICE) as work:
        row = await gatherings.add_breakout(
            work,
            gathering_id,
            body.name,
            body.language,
            body.practice_area,
            body.capacity,
            by=staff_member(caller),
        )
    return breakout_out(row)


@router.get("/gatherings/{gathering_id}/breakouts")
async def list_breakouts(_: StaffOrPublic, gathering_id: uuid.UUID, pool: Pool) -> list[BreakoutOut]:
    async with pool.acquire() as conn:
        return [breakout_out(r) for r in await store.breakouts.breakouts(conn, gathering_id)]
