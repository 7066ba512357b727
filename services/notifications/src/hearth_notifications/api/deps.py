"""What routes are given, declared once: the service's database pool, and the caller with the roles
each kind of route allows."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from hearth_shared.service_access import ADMIN, COORDINATOR, PUBLIC, VIEWER
from hearth_shared.service_token import RequireServiceToken, ServiceCaller


def database(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool | None = request.app.state.runtime.pool
    assert pool is not None, "the runtime opens its pool before serving"
    return pool


Pool = Annotated[asyncpg.Pool, Depends(database)]

# The delivery log answers one page (`limit`, `offset`) and says in this header how many entries
# match, so the staff pages never fetch the whole log.
TOTAL_HEADER = "X-Total-Count"


# Who may do what (every route names one; `behind_token` in api/__init__ refuses anyone without a
# token first). Check-in staff have nothing here (check-in and attendance only); viewers read the
# delivery log; coordinators and admins resend; the public site (the email-preferences page a
# signed link opens) reads and replaces a person's preferences, as staff may for them.
Staff = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN, COORDINATOR, VIEWER))]
StaffOrPublic = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN, COORDINATOR, VIEWER, PUBLIC))]
Coordinator = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN, COORDINATOR))]
Public = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN, COORDINATOR, PUBLIC))]
Admin = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN))]  # a person's whole export
