"""Loading a group as the one asking may see it: what every action and route starts from."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from hearth_shared.db import Connection

from ..domain.errors import Forbidden, NotFound
from ..domain.visibility import Actor, may_lead, may_see_group, may_see_roster
from ..store import groups
from ..store.groups import GroupRow


@dataclass(frozen=True)
class Seen:
    """A group, and what the actor may see of it."""

    group: GroupRow
    is_member: bool
    roster: bool
    leads: bool


async def seen(conn: Connection, group_id: uuid.UUID, actor: Actor, *, lock: bool = False) -> Seen:
    """The group as `actor` sees it; NotFound when it does not exist *or* they may not know it
    exists (one answer for both, so a hidden group is never confirmed)."""
    group = await groups.get(conn, group_id, lock=lock)
    if group is None:
        raise NotFound("no such group", "group_id")
    is_member = group_id in await groups.groups_of(conn, actor.person_id)
    if not may_see_group(actor, group.access, is_member):
        raise NotFound("no such group", "group_id")
    return Seen(
        group, is_member, may_see_roster(actor, group.access, is_member), may_lead(actor, group.access)
    )


def require_roster(view: Seen) -> None:
    if not view.roster:
        raise Forbidden("this group's roster is shown only to its members and staff", "group_id")


def require_lead(view: Seen) -> None:
    if not view.leads:
        raise Forbidden("only the group's facilitator or staff may do this", "group_id")


def require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise Forbidden("only staff may do this")


def require_person(actor: Actor) -> uuid.UUID:
    if actor.person_id is None:
        raise Forbidden("sign in as the person this is about", "person_id")
    return actor.person_id
