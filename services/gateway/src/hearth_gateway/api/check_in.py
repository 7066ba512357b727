"""Check-in at the door: search by name or email, one button per person, the present count."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ..actions import operations
from ..domain.pages import Page, Window
from ..domain.registrants import Filters
from .deps import CheckIn, GatewayDep
from .registrants import registrants_of

router = APIRouter(tags=["check-in"])
MATCHES = Page(1, 50)  # the first 50 whose name or email holds the search


async def _nobody() -> tuple[list[Any], Window]:
    return [], Window(1, 0, MATCHES.size)


@router.get("/gatherings/{gathering_id}/check-in")
async def show_check_in(
    request: Request,
    gw: GatewayDep,
    signed: CheckIn,
    gathering_id: uuid.UUID,
    q: Annotated[str, Query(max_length=200)] = "",
    done: str = "",
    undone: str = "",
) -> Response:
    who = signed.staff
    needle = q.strip()
    gathering, figures, (matches, _) = await asyncio.gather(
        gw.services.get(who, "registration", f"/gatherings/{gathering_id}"),
        gw.services.get(who, "registration", f"/gatherings/{gathering_id}/figures"),
        registrants_of(gw.services, who, gathering_id, Filters(q=needle), MATCHES) if needle else _nobody(),
    )
    context = {
        "gathering": gathering,
        "matches": matches,
        "q": q,
        "present": figures["present"],
        "registered": figures["registered"],
        "done": done,
        "undone": undone,
    }
    return gw.pages.render(request, "check_in.html", context, session=signed.session)


@router.post("/gatherings/{gathering_id}/check-in")
@router.post("/gatherings/{gathering_id}/check-in/undo")
async def check_person_in(
    request: Request,
    gw: GatewayDep,
    signed: CheckIn,
    gathering_id: uuid.UUID,
    person_id: Annotated[uuid.UUID, Form()],
    q: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check a person in, or (`…/undo`: the wrong person's button) take it back; registration
    tells credits either way."""
    undo = request.url.path.endswith("/undo")
    act = operations.undo_check_in if undo else operations.check_in
    await act(gw.pool, gw.services, signed.staff, str(gathering_id), str(person_id), signed.address)
    query = urlencode({"undone" if undo else "done": str(person_id), "q": q})
    return RedirectResponse(f"/gatherings/{gathering_id}/check-in?{query}", status_code=303)
