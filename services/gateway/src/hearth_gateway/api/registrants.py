"""Registrants of one gathering: filters (status, including held awaiting payment; ticket type,
breakout, checked in), search, pages, a CSV of exactly what the filters show, and marking a held
ticket paid."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ..actions import audit, operations, payments
from ..domain.audit import AuditAction
from ..domain.pages import Page, Window
from ..domain.registrants import Filters
from ..domain.staff import Staff
from ..store.services import Services
from .deps import (
    ExportRegistrants,
    GatewayDep,
    ManageGatherings,
    RegistrantFilters,
    ResendEmails,
    ViewRegistrants,
)

router = APIRouter(tags=["registrants"])

CSV_COLUMNS = (
    "name",
    "email",
    "ticket_type",
    "status",
    "breakout",
    "member_id",
    "profession",
    "regulatory_body",
    "region",
    "preferred_language",
    "checked_in",
    "created_at",
    "hold_expires_at",  # while awaiting payment
    "erased_at",  # the person's details were erased (name and email are then a pseudonym)
)


EVERYONE = Page(1, 100_000)  # the CSV and bulk moves act on every registrant the filters keep


async def registrants_of(
    services: Services, who: Staff, gathering_id: uuid.UUID, filters: Filters, page: Page = EVERYONE
) -> tuple[list[Any], Window]:
    """A page of the registrants the filters keep (registration filters, counts and pages them),
    each saying whether they were checked in."""
    return await services.page(
        who, "registration", f"/gatherings/{gathering_id}/registrants", page, **filters.params()
    )


@router.get("/gatherings/{gathering_id}/registrants")
async def list_registrants(
    request: Request,
    gw: GatewayDep,
    signed: ViewRegistrants,
    gathering_id: uuid.UUID,
    filters: RegistrantFilters,
    page: Annotated[int, Query(ge=1)] = 1,
    moved: str = "",
    resent: str = "",
    paid: str = "",
) -> Response:
    who = signed.staff
    gathering, breakouts, found = await asyncio.gather(
        gw.services.get(who, "registration", f"/gatherings/{gathering_id}"),
        gw.services.get(who, "registration", f"/gatherings/{gathering_id}/breakouts"),
        registrants_of(gw.services, who, gathering_id, filters, Page.of(page)),
    )
    shown, window = found
    context = {
        "gathering": gathering,
        "breakouts": breakouts,
        "registrants": shown,
        "window": window,
        "filters": filters,
        "total": window.total,
        "moved": moved,
        "resent": resent,
        "paid": paid,
        "methods": payments.METHODS,
    }
    return gw.pages.render(request, "registrants.html", context, session=signed.session)


@router.get("/gatherings/{gathering_id}/registrants.csv")
async def export_registrants(
    gw: GatewayDep,
    signed: ExportRegistrants,
    gathering_id: uuid.UUID,
    filters: RegistrantFilters,
) -> Response:
    found, _ = await registrants_of(gw.services, signed.staff, gathering_id, filters)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(found)
    await audit.record(
        gw.pool,
        signed.staff.id,
        AuditAction.REGISTRANTS_EXPORTED,
        target=str(gathering_id),
        detail=f"{len(found)} rows; {filters.query()}",
        address=signed.address,
    )
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="registrants-{gathering_id}.csv"'},
    )


@router.post("/gatherings/{gathering_id}/registrants/breakout")
async def move_registrants(
    gw: GatewayDep,
    signed: ManageGatherings,
    gathering_id: uuid.UUID,
    filters: RegistrantFilters,
    breakout_id: Annotated[str, Form(max_length=50)] = "",
) -> Response:
    """Moves every registrant the filters show (all pages, not only the one on screen)."""
    found, _ = await registrants_of(gw.services, signed.staff, gathering_id, filters)
    target = str(uuid.UUID(breakout_id)) if breakout_id not in ("", "none") else None
    moved = await operations.move_to_breakout(
        gw.pool,
        gw.services,
        signed.staff,
        str(gathering_id),
        [r["ticket_id"] for r in found],
        target,
        signed.address,
    )
    return _back_to(gathering_id, filters, moved=moved)


@router.post("/gatherings/{gathering_id}/registrants/confirmations")
async def resend_confirmations(
    gw: GatewayDep, signed: ResendEmails, gathering_id: uuid.UUID, filters: RegistrantFilters
) -> Response:
    """Resends the confirmation of every confirmed ticket the filters show (all pages); a ticket
    awaiting payment or cancelled has none to resend."""
    found, _ = await registrants_of(gw.services, signed.staff, gathering_id, filters)
    confirmed = [r["ticket_id"] for r in found if r["status"] == "active"]
    resent = 0
    if confirmed:
        resent = await operations.resend_confirmations(
            gw.pool, gw.services, signed.staff, str(gathering_id), confirmed, signed.address
        )
    return _back_to(gathering_id, filters, resent=resent)


@router.post("/gatherings/{gathering_id}/registrants/{ticket_id}/payment")
async def mark_ticket_paid(
    gw: GatewayDep,
    signed: ManageGatherings,
    gathering_id: uuid.UUID,
    ticket_id: uuid.UUID,
    filters: RegistrantFilters,
    method: Annotated[payments.PaidBy, Form()],
    reference: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A ticket held awaiting payment, paid by e-transfer, invoice or at the door: confirmed."""
    await payments.mark_paid(
        gw.pool, gw.services, signed.staff, str(ticket_id), method, reference, signed.address
    )
    return _back_to(gathering_id, filters, paid=1)


def _back_to(gathering_id: uuid.UUID, filters: Filters, **done: int) -> Response:
    """The registrants page again, with the same filters and what was done."""
    query = urlencode(done) + ("&" + filters.query() if filters.query() else "")
    return RedirectResponse(f"/gatherings/{gathering_id}/registrants?{query}", status_code=303)
