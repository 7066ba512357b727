"""Self-reported activities waiting for a decision: approve, or reject with a reason."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ..actions import operations
from ..domain.pages import Page
from ..domain.words import N_
from ..store.services import ServiceError
from .deps import DecideSelfReports, GatewayDep

router = APIRouter(tags=["self-reports"])


async def _page(
    request: Request, gw: GatewayDep, signed: DecideSelfReports, page: int = 1, **extra: object
) -> Response:
    reports, window = await gw.services.page(
        signed.staff, "credits", "/self-reports", Page.of(page), status="pending"
    )
    extra["window"] = window
    return gw.pages.render(
        request,
        "self_reports.html",
        {"reports": reports, **extra},
        session=signed.session,
        status_code=422 if extra.get("errors") else 200,
    )


@router.get("/self-reports")
async def list_self_reports(
    request: Request,
    gw: GatewayDep,
    signed: DecideSelfReports,
    done: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    return await _page(request, gw, signed, page, done=done)


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
