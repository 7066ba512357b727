"""The interest pool: a person expresses or withdraws interest; staff see the pool."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query, status
from pydantic import BaseModel, Field

from hearth_shared.contracts.catalogue import Language
from hearth_shared.contracts.text import CleanStr
from hearth_shared.messaging import begin

from ..actions import interests as actions
from ..actions.access import require_staff
from ..domain.errors import NotFound
from ..domain.formation import Interest
from ..domain.kinds import Kind, topic_for
from ..events import SERVICE
from ..store import interests
from ..store.interests import InterestRow, NewInterest
from .deps import ActorDep, Participant, PoolDep, Reader, SettingsDep, Staff
from .practice_areas import CircleTopic, OtherTopic

router = APIRouter(tags=["interest pool"])


class _InterestIn(BaseModel):
    person_id: uuid.UUID
    language: Language
    region: CleanStr | None = Field(default=None, max_length=100, examples=["Nova Scotia"])
    gathering_id: uuid.UUID | None = None


class CircleInterestIn(CircleTopic, _InterestIn):
    pass


class OtherInterestIn(OtherTopic, _InterestIn):
    pass


InterestIn = Annotated[CircleInterestIn | OtherInterestIn, Body(discriminator="kind")]


class InterestOut(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    kind: Kind
    topic: str
    language: str
    region: str | None
    gathering_id: uuid.UUID | None
    expressed_at: datetime
    status: str


def interest_out(row: InterestRow) -> InterestOut:
    i = row.interest
    return InterestOut(
        id=row.id,
        person_id=i.person_id,
        kind=i.kind,
        topic=i.topic,
        language=i.language,
        region=i.region,
        gathering_id=row.gathering_id,
        expressed_at=i.expressed_at,
        status=row.status,
    )


@router.post("/interests", status_code=status.HTTP_201_CREATED)
async def express_interest(
    _: Participant, body: InterestIn, actor: ActorDep, pool: PoolDep, settings: SettingsDep
) -> InterestOut:
    """A person's interest in a kind of group (their own; staff may enter anyone's)."""
    topic = topic_for(body.kind, body.practice_area, settings.practice_areas)
    interest = Interest(datetime.now(UTC), body.person_id, body.kind, topic, body.language, body.region)
    async with begin(pool, SERVICE) as work:
        row = await actions.express_own(work, NewInterest(uuid.uuid4(), interest, body.gathering_id), actor)
    return interest_out(row)


@router.delete("/interests/{interest_id}", status_code=status.HTTP_204_NO_CONTENT)
async def withdraw_interest(_: Participant, interest_id: uuid.UUID, actor: ActorDep, pool: PoolDep) -> None:
    async with begin(pool, SERVICE) as work:
        await actions.withdraw(work, interest_id, actor)


@router.get("/interests")
async def interest_pool(
    _: Staff,
    kind: Kind,
    actor: ActorDep,
    pool: PoolDep,
    topic: Annotated[CleanStr | None, Query(max_length=100)] = None,
) -> list[InterestOut]:
    """The open pool of a kind (and topic): staff only."""
    require_staff(actor)
    async with pool.acquire() as conn:
        return [interest_out(r) for r in await interests.pool(conn, kind, topic)]


@router.get("/people/{person_id}/interests")
async def interests_of_person(
    _: Reader, person_id: uuid.UUID, actor: ActorDep, pool: PoolDep
) -> list[InterestOut]:
    """A person's own open interest (or anyone's, for staff)."""
    if not actor.is_staff and actor.person_id != person_id:
        raise NotFound("no such person", "person_id")
    async with pool.acquire() as conn:
        return [interest_out(r) for r in await interests.of_person(conn, person_id)]
