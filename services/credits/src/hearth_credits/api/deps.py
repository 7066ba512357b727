"""What credits' routes depend on, declared once as `Annotated` types: the pool, the settings and
the association's cycle rule (all from the runtime `build_app` keeps on the app), and the caller
with the roles each kind of route allows."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from hearth_shared.messaging import ServiceRuntime
from hearth_shared.service_access import ADMIN, COORDINATOR, PUBLIC, VIEWER
from hearth_shared.service_token import RequireServiceToken, ServiceCaller

from ..domain.cycles import CycleRule
from ..settings import CreditsSettings


def _runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def _pool(runtime: Annotated[ServiceRuntime, Depends(_runtime)]) -> asyncpg.Pool:
    assert runtime.pool is not None, "the runtime starts before requests are served"
    return runtime.pool


def _settings(runtime: Annotated[ServiceRuntime, Depends(_runtime)]) -> CreditsSettings:
    settings = runtime.settings
    assert isinstance(settings, CreditsSettings)
    return settings


def _cycle_rule(settings: Annotated[CreditsSettings, Depends(_settings)]) -> CycleRule:
    return settings.cycle_rule()


# Lists staff page through answer one page (`limit`, `offset`) and say in this header how many
# rows the whole list holds.
TOTAL_HEADER = "X-Total-Count"

Pool = Annotated[asyncpg.Pool, Depends(_pool)]
Settings = Annotated[CreditsSettings, Depends(_settings)]
Rule = Annotated[CycleRule, Depends(_cycle_rule)]


# Who may do what (every route names one; `behind_token` in api/__init__ refuses anyone without a
# token first). Check-in staff have no business here (check-in and attendance only); viewers read;
# coordinators and admins report activities for people and decide on them; the public site reads
# a certificate (its verification page and the PDF its email links to).
Staff = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN, COORDINATOR, VIEWER))]
StaffOrPublic = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN, COORDINATOR, VIEWER, PUBLIC))]
Coordinator = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN, COORDINATOR))]
Admin = Annotated[ServiceCaller, Depends(RequireServiceToken(ADMIN))]  # a person's whole export
