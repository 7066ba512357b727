"""The dashboard: upcoming gatherings with seats, waitlist, presence and rating; what waits for
staff (self-reports to decide, parked messages)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..domain.roles import Permission, may
from ..domain.staff import Staff
from ..store.parked import list_everywhere
from ..store.services import Services
from .deps import GatewayDep, ViewGatherings

router = APIRouter(tags=["dashboard"])
UPCOMING = 10


async def _figures(services: Services, who: Staff, gathering: dict[str, Any]) -> dict[str, Any]:
    gid = gathering["id"]
    waitlist, attendance, feedback = await asyncio.gather(
        services.get(who, "registration", f"/gatherings/{gid}/waitlist"),
        services.get(who, "registration", f"/gatherings/{gid}/attendance"),
        services.get(who, "registration", f"/gatherings/{gid}/feedback"),
    )
    ratings = [f["benefit_rating"] for f in feedback]
    return gathering | {
        "waiting": sum(1 for w in waitlist if w["status"] in ("waiting", "offered")),
        "present": len(attendance),
        "rating": round(sum(ratings) / len(ratings), 1) if ratings else None,
    }


@router.get("/")
async def show_dashboard(request: Request, gw: GatewayDep, signed: ViewGatherings) -> Response:
    who = signed.staff
    now = datetime.now(UTC).isoformat()
    gatherings = await gw.services.get(who, "registration", "/gatherings", status="open", limit=200)
    upcoming = sorted((g for g in gatherings if g["ends_at"] >= now), key=lambda g: g["starts_at"])[:UPCOMING]
    rows = await asyncio.gather(*(_figures(gw.services, who, g) for g in upcoming))
    pending = None
    if may(who.role, Permission.DECIDE_SELF_REPORTS):
        pending = len(await gw.services.get(who, "credits", "/self-reports", status="pending"))
    parked: dict[str, int] | None = None
    if may(who.role, Permission.HANDLE_PARKED):
        everywhere = await list_everywhere(gw.broker, gw.settings.name_prefix, gw.settings.parked_services)
        parked = {s: 0 for s in gw.settings.parked_services if s not in everywhere.unreachable}
        for found in everywhere.messages:
            parked[found.service] += 1
    context = {"gatherings": rows, "pending_self_reports": pending, "parked": parked}
    return gw.pages.render(request, "dashboard.html", context, session=signed.session)
