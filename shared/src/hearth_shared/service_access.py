"""Who may call a service: the roles a gateway token can carry, and the one router a service's
routes hang from, so that none of them can be reached without a valid token.

Every route still names its own roles (an alias in the service's `api/deps.py`, such as
`Coordinator`); the router's own check comes first, refuses a missing or forged token (401) and a
role nobody knows (403), and puts the caller into the request's log lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends

from .service_token import RequireServiceToken, ServiceCaller

ADMIN = "admin"
COORDINATOR = "coordinator"
CHECK_IN = "check_in"  # check-in and attendance only, as event staff at the door need
VIEWER = "viewer"
STAFF_ROLES = (ADMIN, COORDINATOR, CHECK_IN, VIEWER)
PUBLIC = "public"  # the gateway's public site, acting for a member or guest through a signed link
ROLES = (*STAFF_ROLES, PUBLIC)

_known_caller = RequireServiceToken(*ROLES)


async def caller_in_logs(caller: Annotated[ServiceCaller, Depends(_known_caller)]) -> ServiceCaller:
    """The caller of this request, bound into every log line written while it is served."""
    structlog.contextvars.bind_contextvars(staff_id=str(caller.staff_id), role=caller.role)
    return caller


def behind_token(routers: Iterable[APIRouter]) -> APIRouter:
    """One router holding `routers`: each of their routes, and any added later, needs a token."""
    guarded = APIRouter(dependencies=[Depends(caller_in_logs)])
    for router in routers:
        guarded.include_router(router)
    return guarded
