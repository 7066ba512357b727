"""Check-in at the door: search by name or email, one button per person, the present count."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ..actions import operations
from ..domain.registrants import Filters
from .deps import CheckIn, GatewayDep
from .registrants import registrants_of

router = APIRouter(tags=["check-in"])


@router.get("/gatherings/{gathering_id}/check-in")
async def show_check_in(
    request: Request,
    gw: GatewayDep,
    signed: CheckIn,
    gathering_id: uuid.UUID,
    q: Annotated[str, Query(max_length=200)] = "",
    done: str = "",
) -> Response:
    who = signed.staff
    gathering, everyone = await asyncio.gather(
        gw.services.get(who, "registration", f"/gatherings/{gathering_id}"),
        registrants_of(gw.services, who, gathering_id, Filters()),
    )
    needle = q.strip().lower()
    matches = (
        [r for r in everyone if needle in r["name"].lower() or needle in r["email"].lower()] if needle else []
    )
    present = sum(1 for r in everyone if r["checked_in"])
    context = {
        "gathering": gathering,
        "matches": matches[:50],
        "q": q,
        "present": present,
        "registered": len(everyone),
        "done": done,
    }
    return gw.pages.render(request, "check_in.html", context, session=signed.session)


@router.post("/gatherings/{gathering_id}/check-in")
async def check_person_in(
    gw: GatewayDep,
    signed: CheckIn,
    gathering_id: uuid.UUID,
    person_id: Annotated[uuid.UUID, Form()],
    q: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    await operations.check_in(
        gw.pool, gw.services, signed.staff, str(gathering_id), str(person_id), signed.address
    )
    query = urlencode({"done": str(person_id), "q": q})
    return RedirectResponse(f"/gatherings/{gathering_id}/check-in?{query}", status_code=303)
