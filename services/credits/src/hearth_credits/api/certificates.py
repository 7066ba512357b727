"""Certificates of attendance as PDF, and their public verification by code."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from hearth_shared.api import Problem

from .. import store
from . import documents
from .deps import Pool, StaffOrPublic

router = APIRouter(tags=["credits"])


class VerificationOut(BaseModel):
    code: str
    status: Literal["valid", "revoked"]
    holder: str | None = Field(description="None when the holder's details were erased")
    activity: str
    hours: Decimal
    issued_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None


@router.get(
    "/certificates/{code}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def certificate_pdf(_: StaffOrPublic, pool: Pool, code: str, request: Request) -> Response:
    async with pool.acquire() as conn:
        cert = await store.certificates.details(conn, code)
    if cert is None:
        raise Problem(404, "not_found", f"no certificate {code}", "code")
    verify_url = str(request.url_for("verify", code=code))
    return Response(documents.certificate_pdf(cert, verify_url), media_type="application/pdf")


@router.get("/verify/{code}", name="verify", tags=["public"])
async def verify(_: StaffOrPublic, pool: Pool, code: str) -> VerificationOut:
    """Public: anyone holding a certificate's code (a regulator) can check it, on the gateway's
    public site (which calls with the `public` role)."""
    async with pool.acquire() as conn:
        cert = await store.certificates.details(conn, code.strip().upper())
    if cert is None:
        raise Problem(404, "not_found", "no certificate has this code", "code")
    return VerificationOut(
        code=cert.code,
        status="revoked" if cert.revoked_at else "valid",
        holder=None if cert.erased_at else cert.name,
        activity=cert.title,
        hours=cert.hours,
        issued_at=cert.issued_at,
        revoked_at=cert.revoked_at,
        revoked_reason=cert.revoked_reason,
    )
