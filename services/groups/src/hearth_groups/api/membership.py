"""Membership: join (or request), approve / decline, invite / accept, leave; requests waiting."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hearth_shared.messaging import begin

from ..actions import access
from ..actions import membership as actions
from ..domain.membership import Place
from ..events import SERVICE
from ..store import groups
from .deps import ActorDep, Participant, PoolDep, Reader

router = APIRouter(tags=["membership"])


class PlaceOut(BaseModel):
    group_id: uuid.UUID
    person_id: uuid.UUID
    place: Place
    changed_by: uuid.UUID | None = Field(
        default=None,
        description="The staff member who set this place, approving, declining or inviting (null: the "
        "person themselves, or the group's facilitator)",
    )


class PersonIn(BaseModel):
    person_id: uuid.UUID


@router.post("/groups/{group_id}/join")
async def join_group(_: Participant, group_id: uuid.UUID, actor: ActorDep, pool: PoolDep) -> PlaceOut:
    """Open groups: a member at once; by request: the request waits; invited: accepting."""
    async with begin(pool, SERVICE) as work:
        place = await actions.join(work, group_id, actor)
    return PlaceOut(group_id=group_id, person_id=access.require_person(actor), place=place)


@router.post("/groups/{group_id}/leave")
async def leave_group(_: Participant, group_id: uuid.UUID, actor: ActorDep, pool: PoolDep) -> PlaceOut:
    async with begin(pool, SERVICE) as work:
        place = await actions.leave(work, group_id, actor)
    return PlaceOut(group_id=group_id, person_id=access.require_person(actor), place=place)


@router.get("/groups/{group_id}/requests")
async def waiting_requests(_: Reader, group_id: uuid.UUID, actor: ActorDep, pool: PoolDep) -> list[uuid.UUID]:
    """Who asked to join, for the facilitator and staff."""
    async with pool.acquire() as conn:
        access.require_lead(await access.seen(conn, group_id, actor))
        return await groups.member_ids(conn, group_id, Place.REQUESTED)


@router.post("/groups/{group_id}/requests/{person_id}/approve")
async def approve_request(
    _: Participant, group_id: uuid.UUID, person_id: uuid.UUID, actor: ActorDep, pool: PoolDep
) -> PlaceOut:
    async with begin(pool, SERVICE) as work:
        place = await actions.decide(work, group_id, person_id, True, actor)
    return PlaceOut(group_id=group_id, person_id=person_id, place=place, changed_by=actor.staff_id)


@router.post("/groups/{group_id}/requests/{person_id}/decline")
async def decline_request(
    _: Participant, group_id: uuid.UUID, person_id: uuid.UUID, actor: ActorDep, pool: PoolDep
) -> PlaceOut:
    async with begin(pool, SERVICE) as work:
        place = await actions.decide(work, group_id, person_id, False, actor)
    return PlaceOut(group_id=group_id, person_id=person_id, place=place, changed_by=actor.staff_id)


@router.post("/groups/{group_id}/invitations")
async def invite_person(
    _: Participant, group_id: uuid.UUID, body: PersonIn, actor: ActorDep, pool: PoolDep
) -> PlaceOut:
    async with begin(pool, SERVICE) as work:
        place = await actions.invite(work, group_id, body.person_id, actor)
    return PlaceOut(group_id=group_id, person_id=body.person_id, place=place, changed_by=actor.staff_id)


@router.post("/groups/{group_id}/invitations/accept")
async def accept_invitation(_: Participant, group_id: uuid.UUID, actor: ActorDep, pool: PoolDep) -> PlaceOut:
    async with begin(pool, SERVICE) as work:
        place = await actions.accept(work, group_id, actor)
    return PlaceOut(group_id=group_id, person_id=access.require_person(actor), place=place)
