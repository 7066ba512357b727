"""What routes are given: the service's pool and settings (from the runtime the app was built with),
and the caller, with the roles each kind of route allows."""

from __future__ import annotations

import uuid
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from hearth_shared.service_access import ADMIN, CHECK_IN, COORDINATOR, PUBLIC, STAFF_ROLES
from hearth_shared.service_token import RequireServiceToken, ServiceCaller

from ..settings import RegistrationSettings


async def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool | None = request.app.state.runtime.pool
    assert pool is not None, "the runtime starts before requests are served"
    return pool


async def _settings(request: Request) -> RegistrationSettings:
    settings: RegistrationSettings = request.app.state.runtime.settings
    return settings


# Lists staff page through answer one page (`limit`, `offset`) and say in this header how many
# rows the whole list holds, so a caller never fetches everything to show fifty.
TOTAL_HEADER = "X-Total-Count"

# Async, so FastAPI resolves them in the event loop (a plain `def` would hop to a thread per request).
Pool = Annotated[asyncpg.Pool, Depends(_pool)]
Settings = Annotated[RegistrationSettings, Depends(_settings)]


# Who may do what (every route names one; `behind_token` in api/__init__ refuses anyone without a
# token first). Staff of every role read; check-in staff also record attendance; coordinators and
# admins change gatherings and tickets; the public site (a signed link's holder) buys, cancels,
# answers a waitlist offer and gives feedback, and reads what its pages show.
Staff = Annotated[ServiceCaller, Depends(RequireServiceToken(*STAFF_ROLES))]
StaffOrPublic = Annotated[ServiceCaller, Depends(RequireServiceToken(*STAFF_ROLES, PUBLIC))]
CheckIn = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN, COORDINATOR, CHECK_IN))]
Coordinator = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN, COORDINATOR))]
Public = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN, COORDINATOR, PUBLIC))]
Admin = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN))]  # a person's whole export


def staff_member(caller: ServiceCaller) -> uuid.UUID | None:
    """Who to record as having made a change: the staff member the token names, or None when the
    public flow acts (a holder, through their signed link)."""
    return None if caller.role == PUBLIC else caller.staff_id
