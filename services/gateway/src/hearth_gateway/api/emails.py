"""The delivery log: search, pages, resend."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from ..actions import operations
from ..domain.pages import Page
from .deps import GatewayDep, ResendEmails, ViewEmails

router = APIRouter(tags=["emails"])
STATUSES = ("pending", "sending", "sent", "failed", "suppressed", "held", "digested")


@router.get("/emails")
async def list_emails(
    request: Request,
    gw: GatewayDep,
    signed: ViewEmails,
    to: Annotated[str, Query(max_length=320)] = "",
    status: str = "",
    template: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
    resent: str = "",
) -> Response:
    shown, window = await gw.services.page(
        signed.staff,
        "notifications",
        "/deliveries",
        Page.of(page),
        to=to.strip(),
        status=status if status in STATUSES else None,
        template=template,
    )
    context = {
        "deliveries": shown,
        "window": window,
        "to": to,
        "status": status,
        "template": template,
        "statuses": STATUSES,
        "resent": resent,
    }
    return gw.pages.render(request, "emails.html", context, session=signed.session)


@router.post("/emails/{delivery_id}/resend")
async def resend_email(gw: GatewayDep, signed: ResendEmails, delivery_id: uuid.UUID) -> Response:
    await operations.resend_email(gw.pool, gw.services, signed.staff, str(delivery_id), signed.address)
    return RedirectResponse(f"/emails?resent={delivery_id}", status_code=303)
