"""Each person's preferences: read and replace them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hearth_shared.api import Problem
from hearth_shared.messaging import begin

from ..actions import preferences as choices
from ..domain import preferences
from ..domain.errors import UnknownPerson
from ..domain.preferences import Category
from ..events import SERVICE
from ..store import people
from .deps import Pool, Public, StaffOrPublic

router = APIRouter(tags=["notifications"])


class Preferences(BaseModel):
    opted_out: list[Category] = Field(
        default=[], description="Categories this person does not want; critical messages still come"
    )
    group_digest: bool = Field(default=False, description="Group activity once a day instead of at once")


def _unknown(exc: UnknownPerson) -> Problem:
    return Problem(404, "not_found", str(exc), "person_id")


@router.get("/people/{person_id}/preferences")
async def get_preferences(_: StaffOrPublic, pool: Pool, person_id: uuid.UUID) -> Preferences:
    async with pool.acquire() as conn:
        try:
            await choices.known(conn, person_id)
        except UnknownPerson as exc:
            raise _unknown(exc) from exc
        found = (await people.preferences(conn, [person_id])).get(person_id)
    if found is None:
        return Preferences()
    return Preferences(
        opted_out=sorted(Category(c) for c in found.opted_out), group_digest=found.group_digest
    )


@router.put("/people/{person_id}/preferences")
async def put_preferences(_: Public, pool: Pool, person_id: uuid.UUID, body: Preferences) -> Preferences:
    """Replace a person's choices."""
    chosen = preferences.Preferences(frozenset(str(c) for c in body.opted_out), body.group_digest)
    try:
        async with begin(pool, SERVICE) as work:
            await choices.choose(work, person_id, chosen)
    except UnknownPerson as exc:
        raise _unknown(exc) from exc
    return body
