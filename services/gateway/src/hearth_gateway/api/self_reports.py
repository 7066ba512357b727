"""Self-reported activities waiting for a decision: approve, or reject with a reason."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..actions import operations
from ..domain.words import N_
from ..services import ServiceError
from .deps import DecideSelfReports, GatewayDep

router = APIRouter(tags=["self-reports"])


async def _page(request: Request, gw: GatewayDep, signed: DecideSelfReports, **extra: object) -> Response:
    reports = await gw.services.get(signed.staff, "credits", "/self-reports", status="pending")
    return gw.pages.render(
        request,
        "self_reports.html",
        {"reports": reports, **extra},
        session=signed.session,
        status_code=422 if extra.get("errors") else 200,
    )


@router.get("/self-reports")
async def list_self_reports(
    request: Request, gw: GatewayDep, signed: DecideSelfReports, done: str = ""
) -> Response:
    return await _page(request, gw, signed, done=done)


@router.post("/self-reports/{report_id}/decision")
async def decide_self_report(
    request: Request,
    gw: GatewayDep,
    signed: DecideSelfReports,
    report_id: uuid.UUID,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    field = f"reason-{report_id}"
    if decision not in ("approve", "reject"):
        return await _page(request, gw, signed, errors=[(field, N_("Choose to approve or reject."))])
    if decision == "reject" and not reason.strip():
        return await _page(
            request, gw, signed, errors=[(field, N_("Enter the reason the person will read."))]
        )
    try:
        await operations.decide_self_report(
            gw.pool,
            gw.services,
            signed.staff,
            str(report_id),
            decision == "approve",
            reason.strip(),
            signed.address,
        )
    except ServiceError as exc:
        return await _page(request, gw, signed, errors=[(field, m) for _, m in exc.messages])
    return RedirectResponse(f"/self-reports?done={decision}", status_code=303)
