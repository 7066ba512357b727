"""What routes depend on, declared once: the gateway's parts, the signed-in staff member, and one
`Annotated` type per permission. A route names the permission it needs in its signature:

    async def show_dashboard(request: Request, signed: ViewGatherings, gw: GatewayDep) -> Response:

Refusals are consistent everywhere: no valid session → 401 (a page linking to the login); a
state-changing request without the session's CSRF token → 403; a role without the permission →
403, written to the audit log."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

import asyncpg
from aio_pika.abc import AbstractRobustConnection
from fastapi import Depends, Query, Request

from hearth_shared.messaging import ServiceRuntime

from ..actions import audit
from ..actions.auth import current_session
from ..actions.throttle import LoginThrottle
from ..domain.audit import AuditAction
from ..domain.registrants import Filters
from ..domain.roles import Permission, may
from ..domain.sessions import SessionRules, Stage
from ..domain.staff import Session, Staff
from ..settings import GatewaySettings
from ..store.services import Services
from .rendering import Pages

SESSION_COOKIE = "hearth_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotSignedIn(Exception):
    """No session, or it ended: answered 401 with a link to sign in (or, when the password was
    given and the second factor is due, to that step)."""

    def __init__(self, continue_at: str = "/login") -> None:
        super().__init__(continue_at)
        self.continue_at = continue_at


class Refused(Exception):
    """Signed in, but this may not be done (CSRF token missing or wrong, or the role): 403."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Gateway:
    settings: GatewaySettings
    runtime: ServiceRuntime
    services: Services
    throttle: LoginThrottle
    rules: SessionRules
    pages: Pages

    @property
    def pool(self) -> asyncpg.Pool:
        assert self.runtime.pool is not None, "the runtime starts before requests are served"
        return self.runtime.pool

    @property
    def broker(self) -> AbstractRobustConnection:
        if self.runtime.connection is None:
            raise RuntimeError("the broker is not connected yet")
        return self.runtime.connection


def get_gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class Signed:
    """The signed-in staff member making this request."""

    session: Session
    token: str
    address: str

    @property
    def staff(self) -> Staff:
        return self.session.staff


async def _session(request: Request, gateway: Gateway) -> tuple[Session, str]:
    token = request.cookies.get(SESSION_COOKIE)
    found = await current_session(gateway.pool, token, gateway.rules) if token else None
    if found is None or token is None:
        raise NotSignedIn()
    return found, token


async def _check_csrf(request: Request, session: Session) -> None:
    if request.method in SAFE_METHODS:
        return
    form = await request.form()
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, session.csrf_token):
        raise Refused("csrf")


async def half_open_session(request: Request, gateway: GatewayDep) -> Signed:
    """A session whose password was given, whatever its stage (the two-factor pages)."""
    session, token = await _session(request, gateway)
    await _check_csrf(request, session)
    return Signed(session, token, client_address(request))


HalfOpen = Annotated[Signed, Depends(half_open_session)]


class Allowed:
    """Requires a complete session, the CSRF token on state changes, and `permission`."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, request: Request, gateway: GatewayDep) -> Signed:
        session, token = await _session(request, gateway)
        if session.stage is not Stage.COMPLETE:
            step = "/login/code" if session.staff.two_factor_enabled else "/account/two-factor"
            raise NotSignedIn(step)
        await _check_csrf(request, session)
        if not may(session.staff.role, self.permission):
            await audit.record(
                gateway.pool,
                session.staff.id,
                AuditAction.REFUSED,
                target=f"{request.method} {request.url.path}",
                detail=self.permission.value,
                address=client_address(request),
            )
            raise Refused("role")
        return Signed(session, token, client_address(request))


OwnAccount = Annotated[Signed, Depends(Allowed(Permission.OWN_ACCOUNT))]
ViewGatherings = Annotated[Signed, Depends(Allowed(Permission.VIEW_GATHERINGS))]
ManageGatherings = Annotated[Signed, Depends(Allowed(Permission.MANAGE_GATHERINGS))]
ViewRegistrants = Annotated[Signed, Depends(Allowed(Permission.VIEW_REGISTRANTS))]
ExportRegistrants = Annotated[Signed, Depends(Allowed(Permission.EXPORT_REGISTRANTS))]
CheckIn = Annotated[Signed, Depends(Allowed(Permission.CHECK_IN))]
ViewPeople = Annotated[Signed, Depends(Allowed(Permission.VIEW_PEOPLE))]
DecideSelfReports = Annotated[Signed, Depends(Allowed(Permission.DECIDE_SELF_REPORTS))]
ViewGroups = Annotated[Signed, Depends(Allowed(Permission.VIEW_GROUPS))]
ManageGroups = Annotated[Signed, Depends(Allowed(Permission.MANAGE_GROUPS))]
ViewEmails = Annotated[Signed, Depends(Allowed(Permission.VIEW_EMAILS))]
ResendEmails = Annotated[Signed, Depends(Allowed(Permission.RESEND_EMAILS))]
HandleParked = Annotated[Signed, Depends(Allowed(Permission.HANDLE_PARKED))]
ViewAudit = Annotated[Signed, Depends(Allowed(Permission.VIEW_AUDIT))]
ManageStaff = Annotated[Signed, Depends(Allowed(Permission.MANAGE_STAFF))]
ExportPersonData = Annotated[Signed, Depends(Allowed(Permission.EXPORT_PERSON_DATA))]


def registrant_filters(
    status: str = "active",
    ticket_type: Annotated[str, Query(max_length=50)] = "",
    breakout: Annotated[str, Query(max_length=50)] = "",
    checked_in: str = "",
    q: Annotated[str, Query(max_length=200)] = "",
) -> Filters:
    return Filters.of(status, ticket_type, breakout, checked_in, q)


RegistrantFilters = Annotated[Filters, Depends(registrant_filters)]
