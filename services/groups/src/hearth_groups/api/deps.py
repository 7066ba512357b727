"""What every route depends on, declared once: the actor, the pool, the settings.

`current_actor` is the one place the caller's identity comes from. Today it reads the headers the
gateway sets (`X-Hearth-Role`, `X-Hearth-Person`); when the gateway's service token lands
(hearth_shared.service_token) this function verifies the token instead and nothing else changes.
No header means a guest: every route then shows only what the public may see.
"""

from __future__ import annotations

import uuid
from typing import Annotated

import asyncpg
from fastapi import Depends, Header, Request

from ..domain.visibility import Actor, Role
from ..settings import GroupsSettings


async def current_actor(
    x_hearth_role: Annotated[
        Role, Header(description="staff, member or guest (set by the gateway)")
    ] = Role.GUEST,
    x_hearth_person: Annotated[uuid.UUID | None, Header(description="the person acting, if any")] = None,
) -> Actor:
    return Actor(x_hearth_role, x_hearth_person)


def current_pool(request: Request) -> asyncpg.Pool:
    pool = request.app.state.runtime.pool
    assert pool is not None, "the runtime starts before requests are served"
    return pool  # type: ignore[no-any-return]


def current_settings(request: Request) -> GroupsSettings:
    return request.app.state.runtime.settings  # type: ignore[no-any-return]


ActorDep = Annotated[Actor, Depends(current_actor)]
PoolDep = Annotated[asyncpg.Pool, Depends(current_pool)]
SettingsDep = Annotated[GroupsSettings, Depends(current_settings)]
