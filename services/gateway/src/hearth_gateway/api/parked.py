"""Parked messages across services: why, where, when, the body; replay one or all of a service,
or discard one with a reason (the audit log keeps it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ..actions import operations
from ..domain.pages import Page, paginate
from ..domain.words import N_
from ..store.parked import list_everywhere
from .deps import GatewayDep, HandleParked

router = APIRouter(tags=["parked messages"])


async def _page(
    request: Request, gw: GatewayDep, signed: HandleParked, page: int = 1, **extra: object
) -> Response:
    # The broker has no paging: every parked message is read (and left in place), a page is shown.
    found = await list_everywhere(gw.broker, gw.settings.name_prefix, gw.settings.parked_services)
    shown, window = paginate(found.messages, Page.of(page))
    context = {"parked": shown, "window": window, "unreachable": found.unreachable, "errors": [], **extra}
    status_code = 422 if context["errors"] else 200
    return gw.pages.render(request, "parked.html", context, session=signed.session, status_code=status_code)


@router.get("/parked")
async def list_parked_messages(
    request: Request,
    gw: GatewayDep,
    signed: HandleParked,
    replayed: str = "",
    discarded: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    return await _page(request, gw, signed, page, replayed=replayed, discarded=discarded)


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


@router.post("/parked/discard")
async def discard_parked(
    request: Request,
    gw: GatewayDep,
    signed: HandleParked,
    service: Annotated[str, Form(max_length=50)] = "",
    message_id: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    if not reason.strip():
        return await _page(
            request, gw, signed, errors=[(f"reason-{message_id}", N_("Enter why it is discarded."))]
        )
    if service not in gw.settings.parked_services or not message_id:
        return RedirectResponse("/parked", status_code=303)
    found = await operations.discard_parked(
        gw.pool,
        gw.broker,
        gw.settings.name_prefix,
        signed.staff,
        service,
        message_id,
        reason.strip(),
        signed.address,
    )
    return RedirectResponse(f"/parked?discarded={int(found)}", status_code=303)
