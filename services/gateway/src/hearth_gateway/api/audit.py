"""The audit log, filtered by action, staff member and dates, a page at a time."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ..domain.audit import AuditAction, AuditFilter
from ..domain.pages import Page, Window
from ..store import audit, staff
from .deps import GatewayDep, ViewAudit

router = APIRouter(tags=["audit"])


def _day(text: str, *, after: bool = False) -> datetime | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return datetime.combine(day + timedelta(days=1 if after else 0), time(), UTC)


@router.get("/audit")
async def show_audit_log(
    request: Request,
    gw: GatewayDep,
    signed: ViewAudit,
    action: str = "",
    staff_id: str = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    try:
        who = uuid.UUID(staff_id) if staff_id else None
    except ValueError:
        who = None
    where = AuditFilter(
        AuditAction(action) if action in set(AuditAction) else None, who, _day(since), _day(until, after=True)
    )
    chosen = Page.of(page)
    async with gw.pool.acquire() as conn:
        entries, total = await audit.search(conn, where, chosen)
        members = await staff.list_all(conn)
    chosen_filters = {"action": action, "staff_id": staff_id, "since": since, "until": until}
    query = urlencode({k: v for k, v in chosen_filters.items() if v})
    context = {
        "entries": entries,
        "window": Window(chosen.number, total, chosen.size),
        "actions": list(AuditAction),
        "members": members,
        "chosen": chosen_filters,
        "query": query,
    }
    return gw.pages.render(request, "audit.html", context, session=signed.session)
