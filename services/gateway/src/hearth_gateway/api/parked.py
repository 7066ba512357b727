"""Parked messages across services: why, where, when, the body; replay one or all of a service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..actions import operations
from ..parked import list_everywhere
from .deps import GatewayDep, HandleParked

router = APIRouter(tags=["parked messages"])


@router.get("/parked")
async def list_parked_messages(
    request: Request, gw: GatewayDep, signed: HandleParked, replayed: str = ""
) -> Response:
    found = await list_everywhere(gw.broker, gw.settings.name_prefix, gw.settings.parked_services)
    context = {"parked": found.messages, "unreachable": found.unreachable, "replayed": replayed}
    return gw.pages.render(request, "parked.html", context, session=signed.session)


@router.post("/parked/replay")
async def replay_parked(
    gw: GatewayDep,
    signed: HandleParked,
    service: Annotated[str, Form(max_length=50)] = "",
    message_id: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if service not in gw.settings.parked_services:
        return RedirectResponse("/parked", status_code=303)
    count = await operations.replay_parked(
        gw.pool, gw.broker, gw.settings.name_prefix, signed.staff, service, message_id or None, signed.address
    )
    return RedirectResponse(f"/parked?replayed={count}", status_code=303)
