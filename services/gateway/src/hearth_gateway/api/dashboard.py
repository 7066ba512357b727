"""The dashboard: upcoming gatherings with seats, waitlist, presence and rating; what waits for
staff (self-reports to decide, parked messages)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..domain.pages import Page
from ..domain.roles import Permission, may
from ..domain.staff import Staff
from ..store.parked import count_everywhere
from ..store.services import Services
from .deps import GatewayDep, ViewGatherings

router = APIRouter(tags=["dashboard"])
UPCOMING = 10


async def _with_figures(services: Services, who: Staff, gatherings: list[Any]) -> list[Any]:
    """The gatherings with their waiting list, presence and rating, counted by registration in one
    request for all of them."""
    if not gatherings:
        return []
    found = await services.get(
        who, "registration", "/gathering-figures", gathering_id=[g["id"] for g in gatherings]
    )
    by_id = {f["gathering_id"]: f for f in found}
    rows = []
    for gathering in gatherings:
        figures = by_id[gathering["id"]]
        rating = figures["average_rating"]
        rows.append(
            gathering
            | {
                "waiting": figures["waiting"],
                "present": figures["present"],
                "rating": round(rating, 1) if rating is not None else None,
            }
        )
    return rows


async def _standing(services: Services, who: Staff) -> Any:
    """How many people are behind on CPD hours for the current cycle (credits counts them, at most
    once a minute); None for a role that may not see people."""
    if not may(who.role, Permission.VIEW_PEOPLE):
        return None
    return await services.get(who, "credits", "/progress/summary")


@router.get("/")
async def show_dashboard(request: Request, gw: GatewayDep, signed: ViewGatherings) -> Response:
    who = signed.staff
    now = datetime.now(UTC).isoformat()
    upcoming = await gw.services.get(
        who, "registration", "/gatherings", status="open", ending_after=now, limit=UPCOMING
    )
    rows, standing = await asyncio.gather(
        _with_figures(gw.services, who, upcoming), _standing(gw.services, who)
    )
    pending = None
    if may(who.role, Permission.DECIDE_SELF_REPORTS):
        _, counted = await gw.services.page(who, "credits", "/self-reports", Page(1, 1), status="pending")
        pending = counted.total
    parked: dict[str, int] | None = None
    if may(who.role, Permission.HANDLE_PARKED):
        parked = await count_everywhere(gw.broker, gw.settings.name_prefix, gw.settings.parked_services)
    context = {"gatherings": rows, "pending_self_reports": pending, "parked": parked, "standing": standing}
    return gw.pages.render(request, "dashboard.html", context, session=signed.session)
