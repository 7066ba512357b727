"""What every route depends on, declared once: the actor, the pool, the settings, and the roles
each kind of route allows.

`current_actor` is the one place the caller's identity comes from: the gateway's service token
(`behind_token` in api/__init__ refuses a request without one). Staff of any role act as staff,
named by their id (recorded on what they change; what they may change, the route's roles say).
The public flow's token names the person it acts for (the nil UUID: nobody signed in); whether
that person is a member of the association, the gateway says in `X-Hearth-Role` (member or
guest: a header can never make anyone staff).
"""

from __future__ import annotations

import uuid
from typing import Annotated

import asyncpg
from fastapi import Depends, Header, Request

from hearth_shared.service_access import ADMIN, CHECK_IN, COORDINATOR, PUBLIC, ROLES, STAFF_ROLES
from hearth_shared.service_token import RequireServiceToken, ServiceCaller

from ..domain.visibility import Actor, Role
from ..settings import GroupsSettings

NOBODY = uuid.UUID(int=0)  # the public flow's subject when nobody is signed in

Caller = Annotated[ServiceCaller, Depends(RequireServiceToken(*ROLES))]


async def current_actor(
    caller: Caller,
    x_hearth_role: Annotated[
        Role, Header(description="for the public flow: member or guest (set by the gateway)")
    ] = Role.GUEST,
) -> Actor:
    if caller.role in STAFF_ROLES:
        return Actor(Role.STAFF, staff_id=caller.staff_id)
    person = None if caller.staff_id == NOBODY else caller.staff_id
    return Actor(Role.MEMBER if x_hearth_role is Role.MEMBER else Role.GUEST, person)


def current_pool(request: Request) -> asyncpg.Pool:
    pool = request.app.state.runtime.pool
    assert pool is not None, "the runtime starts before requests are served"
    return pool  # type: ignore[no-any-return]


def current_settings(request: Request) -> GroupsSettings:
    return request.app.state.runtime.settings  # type: ignore[no-any-return]


ActorDep = Annotated[Actor, Depends(current_actor)]
PoolDep = Annotated[asyncpg.Pool, Depends(current_pool)]
SettingsDep = Annotated[GroupsSettings, Depends(current_settings)]

# Who may do what (on top of the groups' own rules: visibility, facilitators). Staff of every role
# and the public flow read (visibility decides what each sees); only staff read proposals and the
# interest pool; coordinators and admins form groups and work on proposals; the public flow joins,
# leaves, expresses interest and, as a facilitator, runs its group, as coordinators may for it;
# check-in staff also take a meeting's attendance.
Reader = Annotated[ServiceCaller, Depends(RequireServiceToken(*STAFF_ROLES, PUBLIC))]
Staff = Annotated[ServiceCaller, Depends(RequireServiceToken(*STAFF_ROLES))]
Coordinator = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN, COORDINATOR))]
Admin = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN))]  # a person's whole export
Participant = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN, COORDINATOR, PUBLIC))]
AttendanceTaker = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN, COORDINATOR, CHECK_IN, PUBLIC))]
