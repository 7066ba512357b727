"""Formation proposals, for staff: ask, review, move / split / merge, publish."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Body, status
from pydantic import BaseModel, Field

from hearth_shared.messaging import begin

from ..actions import proposals as actions
from ..actions.access import require_staff
from ..domain import proposals as edits
from ..domain.errors import NotFound
from ..domain.formation import Formation, Remainder
from ..domain.kinds import Kind, topic_for
from ..events import SERVICE
from ..store import proposals
from .deps import ActorDep, Coordinator, PoolDep, SettingsDep, Staff
from .groups import GroupOut, group_out
from .practice_areas import CIRCLE, OtherKind, PracticeArea

router = APIRouter(tags=["proposals"])


class _ProposalIn(BaseModel):
    remainder: Remainder | None = Field(default=None, description="Default: the service's setting")


class CircleProposalIn(_ProposalIn):
    kind: CIRCLE
    practice_area: PracticeArea | None = Field(default=None, description="Leave out: every practice area")


class OtherProposalIn(_ProposalIn):
    kind: OtherKind
    practice_area: PracticeArea | Literal[""] | None = Field(
        default=None, description='Leave out: every topic of the kind; "": those without a practice area'
    )


ProposalIn = Annotated[CircleProposalIn | OtherProposalIn, Body(discriminator="kind")]


class ProposedGroupOut(BaseModel):
    index: int
    kind: Kind
    topic: str
    language: str
    region: str | None
    size: int
    person_ids: list[uuid.UUID]


class ProposalOut(BaseModel):
    id: uuid.UUID
    kind: Kind
    topic: str | None
    remainder: Remainder
    status: str
    groups: list[ProposedGroupOut]
    left_in_pool: list[uuid.UUID]
    created_at: datetime
    created_by: uuid.UUID | None = Field(
        default=None, description="The staff member who asked for it (null: before staff tokens)"
    )
    edited_by: uuid.UUID | None = Field(
        default=None, description="The staff member who last moved, split or merged in it (null: no edit)"
    )
    published_by: uuid.UUID | None = Field(
        default=None, description="The staff member who published it (null: not published)"
    )


class Move(BaseModel):
    person_id: uuid.UUID
    to_group: int | None = Field(description="A group's index, or null: back to the pool")


class Split(BaseModel):
    group: int
    person_ids: list[uuid.UUID] = Field(min_length=1, description="They become a group of their own")


class Merge(BaseModel):
    groups: tuple[int, int]


def _out(proposal: proposals.ProposalRow, formation: Formation | None = None) -> ProposalOut:
    formation = formation or proposal.formation
    return ProposalOut(
        id=proposal.id,
        kind=proposal.kind,
        topic=proposal.topic,
        remainder=proposal.remainder,
        status=proposal.status,
        groups=[
            ProposedGroupOut(
                index=index,
                kind=g.kind,
                topic=g.topic,
                language=g.language,
                region=g.region,
                size=len(g.members),
                person_ids=list(g.person_ids),
            )
            for index, g in enumerate(formation.groups)
        ],
        left_in_pool=[i.person_id for i in formation.left_in_pool],
        created_at=proposal.created_at,
        created_by=proposal.created_by,
        edited_by=proposal.edited_by,
        published_by=proposal.published_by,
    )


@router.post("/proposals", status_code=status.HTTP_201_CREATED)
async def request_proposal(
    _: Coordinator, body: ProposalIn, actor: ActorDep, pool: PoolDep, settings: SettingsDep
) -> ProposalOut:
    """Form groups from the pool's compatible interest, as a draft for review."""
    topic = (
        None
        if body.practice_area is None
        else topic_for(body.kind, body.practice_area, settings.practice_areas)
    )
    async with begin(pool, SERVICE) as work:
        proposal = await actions.request(work, body.kind, topic, body.remainder or settings.remainder, actor)
    return _out(proposal)


@router.get("/proposals/{proposal_id}")
async def proposal(_: Staff, proposal_id: uuid.UUID, actor: ActorDep, pool: PoolDep) -> ProposalOut:
    require_staff(actor)
    async with pool.acquire() as conn:
        found = await proposals.get(conn, proposal_id)
    if found is None:
        raise NotFound("no such proposal", "proposal_id")
    return _out(found)


async def _edit(pool: PoolDep, proposal_id: uuid.UUID, change: edits.Edit, actor: ActorDep) -> ProposalOut:
    async with begin(pool, SERVICE) as work:
        formation = await actions.edit(work, proposal_id, change, actor)
        found = await proposals.get(work.conn, proposal_id)
    assert found is not None
    return _out(found, formation)


@router.post("/proposals/{proposal_id}/moves")
async def move_person(
    _: Coordinator, proposal_id: uuid.UUID, body: Move, actor: ActorDep, pool: PoolDep
) -> ProposalOut:
    return await _edit(pool, proposal_id, partial(_move, body), actor)


@router.post("/proposals/{proposal_id}/splits")
async def split_group(
    _: Coordinator, proposal_id: uuid.UUID, body: Split, actor: ActorDep, pool: PoolDep
) -> ProposalOut:
    return await _edit(pool, proposal_id, partial(_split, body), actor)


@router.post("/proposals/{proposal_id}/merges")
async def merge_groups(
    _: Coordinator, proposal_id: uuid.UUID, body: Merge, actor: ActorDep, pool: PoolDep
) -> ProposalOut:
    return await _edit(pool, proposal_id, partial(_merge, body), actor)


def _move(body: Move, formation: Formation) -> Formation:
    return edits.move(formation, body.person_id, body.to_group)


def _split(body: Split, formation: Formation) -> Formation:
    return edits.split(formation, body.group, set(body.person_ids))


def _merge(body: Merge, formation: Formation) -> Formation:
    return edits.merge(formation, *body.groups)


@router.post("/proposals/{proposal_id}/publish")
async def publish_proposal(
    _: Coordinator, proposal_id: uuid.UUID, actor: ActorDep, pool: PoolDep, settings: SettingsDep
) -> list[GroupOut]:
    """Create the groups; GroupFormed goes out for each (per member for a confidential roster).
    The proposal's `published_by` and each group's `created_by` name the staff member."""
    async with begin(pool, SERVICE) as work:
        formed = await actions.publish(work, proposal_id, settings.default_time_zone, actor)
    return [group_out(g, roster_visible=True, for_staff=True) for g in formed]
