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
from ..domain.roles import Permission, may
from .deps import GatewayDep, ViewPeople

router = APIRouter(tags=["people"])


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
    # credits lists one status at a time (pending when none is named): all three, newest first.
    ledger, *by_status = await asyncio.gather(
        gw.services.get(who, "credits", f"/people/{person_id}/ledger", cycle=progress["cycle"]),
        *(
            gw.services.get(who, "credits", "/self-reports", status=s, person_id=str(person_id))
            for s in ("pending", "approved", "rejected")
        ),
    )
    reports = sorted((r for found in by_status for r in found), key=lambda r: r["submitted_at"], reverse=True)
    emails = []
    if may(who.role, Permission.VIEW_EMAILS):
        emails = await gw.services.get(
            who, "notifications", "/deliveries", person_id=str(person_id), limit=50
        )
    context = {
        "person_id": person_id,
        "progress": progress,
        "ledger": ledger,
        "reports": reports,
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
