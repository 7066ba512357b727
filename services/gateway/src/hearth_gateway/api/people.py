"""A person: CPD progress and ledger for the cycle, the transcript (CSV or PDF), self-reports,
emails sent."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ..actions import audit
from ..domain.audit import AuditAction
from ..domain.pages import Page
from ..domain.roles import Permission, may
from ..domain.staff import Staff
from ..store.services import Json, ServiceError
from .deps import Gateway, GatewayDep, ViewPeople

router = APIRouter(tags=["people"])
LATEST = Page(1, 50)  # of each list on the page, the latest fifty (the window says how many more)


async def _details(gw: Gateway, who: Staff, person_id: uuid.UUID) -> Json | None:
    """Name, email, membership, as registration knows them (None: someone registration never met,
    e.g. known to credits from a self-report only)."""
    try:
        return await gw.services.get(who, "registration", f"/people/{person_id}")
    except ServiceError as exc:
        if exc.status == 404:
            return None
        raise


@router.get("/people/{person_id}")
async def show_person(
    request: Request,
    gw: GatewayDep,
    signed: ViewPeople,
    person_id: uuid.UUID,
    cycle: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    who = signed.staff
    progress = await gw.services.get(who, "credits", f"/people/{person_id}/progress", cycle=cycle)
    ledger, (reports, _), (certificates, certified), (tickets, held), details = await asyncio.gather(
        gw.services.get(who, "credits", f"/people/{person_id}/ledger", cycle=progress["cycle"]),
        gw.services.page(
            who, "credits", "/self-reports", LATEST, status="any", person_id=person_id, newest_first="true"
        ),
        gw.services.page(who, "credits", f"/people/{person_id}/certificates", LATEST),
        gw.services.page(who, "registration", f"/people/{person_id}/tickets", LATEST),
        _details(gw, who, person_id),
    )
    groups = []
    if may(who.role, Permission.VIEW_GROUPS):
        groups = await gw.services.get(who, "groups", f"/people/{person_id}/groups")
    emails = []
    if may(who.role, Permission.VIEW_EMAILS):
        emails = await gw.services.get(
            who, "notifications", "/deliveries", person_id=str(person_id), limit=LATEST.size
        )
    context = {
        "person_id": person_id,
        "person": details,
        "progress": progress,
        "ledger": ledger,
        "reports": reports,
        "certificates": certificates,
        "certified": certified,
        "tickets": tickets,
        "held": held,
        "groups": groups,
        "emails": emails,
    }
    return gw.pages.render(request, "person.html", context, session=signed.session)


@router.get("/people/{person_id}/transcript")
async def download_transcript(
    gw: GatewayDep,
    signed: ViewPeople,
    person_id: uuid.UUID,
    format: Literal["csv", "pdf"] = "pdf",
    cycle: Annotated[str, Query(max_length=20)] = "",
    language: Literal["en", "fr", ""] = "",
) -> Response:
    answer = await gw.services.call(
        signed.staff,
        "credits",
        "GET",
        f"/people/{person_id}/transcript",
        params={k: v for k, v in {"format": format, "cycle": cycle, "language": language}.items() if v},
    )
    await audit.record(
        gw.pool,
        signed.staff.id,
        AuditAction.TRANSCRIPT_DOWNLOADED,
        target=str(person_id),
        detail=format,
        address=signed.address,
    )
    name = f"transcript-{person_id}.{format}"
    return Response(
        answer.content,
        media_type=answer.headers.get("content-type", "application/octet-stream"),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
