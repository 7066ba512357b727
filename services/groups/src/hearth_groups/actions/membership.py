"""Membership: join, request and approve or decline, invite and accept, leave."""

from __future__ import annotations

import uuid

from hearth_shared.messaging import Work

from .. import events
from ..domain import membership as rules
from ..domain.membership import Place
from ..domain.visibility import Actor
from ..store import groups
from .access import Seen, require_lead, require_person, seen


async def _become(work: Work, view: Seen, person_id: uuid.UUID, place: Place, actor: Actor) -> Place:
    """The person takes `place`; staff acting are recorded on it (`changed_by`)."""
    await groups.set_place(work.conn, view.group.id, [person_id], place, actor.staff_id)
    if place is Place.MEMBER:
        await work.publish(events.joined(view.group.id, person_id))
    elif place is Place.LEFT:
        await work.publish(events.left(view.group.id, person_id))
    return place


async def join(work: Work, group_id: uuid.UUID, actor: Actor) -> Place:
    """Open: a member at once; by request: a request waiting; invitation: accepting one."""
    person_id = require_person(actor)
    view = await seen(work.conn, group_id, actor, lock=True)
    place = await groups.place_of(work.conn, group_id, person_id)
    decided = rules.on_join(view.group.join_policy, place, view.group.member_count, view.group.max_size)
    return await _become(work, view, person_id, decided, actor)


async def decide(work: Work, group_id: uuid.UUID, person_id: uuid.UUID, approve: bool, actor: Actor) -> Place:
    view = await seen(work.conn, group_id, actor, lock=True)
    require_lead(view)
    place = await groups.place_of(work.conn, group_id, person_id)
    decided = rules.on_decision(place, approve, view.group.member_count, view.group.max_size)
    return await _become(work, view, person_id, decided, actor)


async def invite(work: Work, group_id: uuid.UUID, person_id: uuid.UUID, actor: Actor) -> Place:
    view = await seen(work.conn, group_id, actor, lock=True)
    require_lead(view)
    decided = rules.on_invite(await groups.place_of(work.conn, group_id, person_id))
    return await _become(work, view, person_id, decided, actor)


async def accept(work: Work, group_id: uuid.UUID, actor: Actor) -> Place:
    person_id = require_person(actor)
    view = await seen(work.conn, group_id, actor, lock=True)
    place = await groups.place_of(work.conn, group_id, person_id)
    decided = rules.on_accept(place, view.group.member_count, view.group.max_size)
    return await _become(work, view, person_id, decided, actor)


async def leave(work: Work, group_id: uuid.UUID, actor: Actor) -> Place:
    person_id = require_person(actor)
    view = await seen(work.conn, group_id, actor, lock=True)
    decided = rules.on_leave(await groups.place_of(work.conn, group_id, person_id))
    return await _become(work, view, person_id, decided, actor)
