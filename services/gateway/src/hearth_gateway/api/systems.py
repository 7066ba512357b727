"""Outside systems, for admins: register one (with the event types it may send), rotate its
signing secret, disable or enable it. A new secret is shown once, on the page that made it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from hearth_shared.publishers import outside_event_types

from ..actions import systems as actions
from ..domain.roles import Permission
from ..store import systems
from .deps import Allowed, GatewayDep, Signed

router = APIRouter(tags=["systems"])

ManageSystems = Annotated[Signed, Depends(Allowed(Permission.MANAGE_SYSTEMS))]
OVERLAPS = (0, 1, 24, 72)  # hours the previous secret still verifies after a rotation


async def _page(
    request: Request, gw: GatewayDep, signed: Signed, status_code: int = 200, **extra: object
) -> Response:
    async with gw.pool.acquire() as conn:
        found = await systems.list_all(conn)
    context = {
        "systems": found,
        "event_types": outside_event_types(),
        "overlaps": OVERLAPS,
        "form": {},
        "errors": [],
        **extra,
    }
    return gw.pages.render(request, "systems.html", context, session=signed.session, status_code=status_code)


@router.get("/systems")
async def list_systems(request: Request, gw: GatewayDep, signed: ManageSystems, done: str = "") -> Response:
    return await _page(request, gw, signed, done=done)


@router.post("/systems")
async def register_system(
    request: Request,
    gw: GatewayDep,
    signed: ManageSystems,
    name: Annotated[str, Form(max_length=100)] = "",
    event_types: Annotated[list[str] | None, Form()] = None,
) -> Response:
    chosen = event_types or []
    try:
        secret = await actions.register(gw.pool, signed.staff.id, name, chosen, signed.address)
    except actions.SystemRefused as exc:
        form = {"name": name, "event_types": chosen}
        return await _page(request, gw, signed, 422, errors=exc.problems, form=form)
    return await _page(request, gw, signed, 201, secret=secret, secret_for=name.strip())


@router.post("/systems/{system}/rotate")
async def rotate_secret(
    request: Request,
    gw: GatewayDep,
    signed: ManageSystems,
    system: str,
    overlap_hours: Annotated[int, Form()] = 24,
) -> Response:
    hours = overlap_hours if overlap_hours in OVERLAPS else 24
    try:
        secret = await actions.rotate(
            gw.pool, signed.staff.id, system, signed.address, timedelta(hours=hours)
        )
    except actions.SystemRefused as exc:
        return await _page(request, gw, signed, 404, errors=exc.problems)
    return await _page(request, gw, signed, secret=secret, secret_for=system)


@router.post("/systems/{system}/disable")
async def disable_system(request: Request, gw: GatewayDep, signed: ManageSystems, system: str) -> Response:
    return await _enable(request, gw, signed, system, False)


@router.post("/systems/{system}/enable")
async def enable_system(request: Request, gw: GatewayDep, signed: ManageSystems, system: str) -> Response:
    return await _enable(request, gw, signed, system, True)


async def _enable(request: Request, gw: GatewayDep, signed: Signed, system: str, enabled: bool) -> Response:
    try:
        await actions.set_enabled(gw.pool, signed.staff.id, system, enabled, signed.address)
    except actions.SystemRefused as exc:
        return await _page(request, gw, signed, 404, errors=exc.problems)
    return RedirectResponse(f"/systems?done={'enabled' if enabled else 'disabled'}", status_code=303)
