"""Parked messages across services: why, where, when, the body; replay one (named by its id) or,
with a control of its own, all of a service; discard one with a reason. The audit log keeps each.
A replay without a message id is refused: it never means "all"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ..actions import operations
from ..domain.pages import Page, paginate
from ..domain.words import N_
from ..store.parked import ParkedIn, list_everywhere
from .deps import GatewayDep, HandleParked

router = APIRouter(tags=["parked messages"])


def _by_service(messages: list[ParkedIn]) -> dict[str, int]:
    """How many messages each service has parked, for its "replay all" control."""
    counts: dict[str, int] = {}
    for each in messages:
        counts[each.service] = counts.get(each.service, 0) + 1
    return counts


async def _page(
    request: Request, gw: GatewayDep, signed: HandleParked, page: int = 1, **extra: object
) -> Response:
    # The broker has no paging: every parked message is read (and left in place), a page is shown.
    found = await list_everywhere(gw.broker, gw.settings.name_prefix, gw.settings.parked_services)
    shown, window = paginate(found.messages, Page.of(page))
    context = {
        "parked": shown,
        "window": window,
        "unreachable": found.unreachable,
        "by_service": _by_service(found.messages),
        "errors": [],
        **extra,
    }
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
    request: Request,
    gw: GatewayDep,
    signed: HandleParked,
    service: Annotated[str, Form(max_length=50)] = "",
    message_id: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """One parked message, named by its id; every other stays parked."""
    if service not in gw.settings.parked_services or not message_id.strip():
        errors = [("main", N_("Choose the message to replay with its own Replay button."))]
        return await _page(request, gw, signed, errors=errors)
    count = await operations.replay_parked(
        gw.pool, gw.broker, gw.settings.name_prefix, signed.staff, service, message_id.strip(), signed.address
    )
    return RedirectResponse(f"/parked?replayed={count}", status_code=303)


@router.post("/parked/replay-all")
async def replay_all_parked(
    request: Request,
    gw: GatewayDep,
    signed: HandleParked,
    service: Annotated[str, Form(max_length=50)] = "",
) -> Response:
    """Every parked message of one service (audited as `service:all`)."""
    if service not in gw.settings.parked_services:
        errors = [("main", N_("Choose the service whose messages to replay."))]
        return await _page(request, gw, signed, errors=errors)
    count = await operations.replay_parked(
        gw.pool, gw.broker, gw.settings.name_prefix, signed.staff, service, None, signed.address
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
