"""Certificates of attendance as PDF, and their public verification by code."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from hearth_shared.api import Problem
from hearth_shared.contracts.catalogue import Bilingual

from .. import store
from . import documents
from .deps import TOTAL_HEADER, Pool, Settings, Staff, StaffOrPublic

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


class HeldCertificateOut(BaseModel):
    code: str
    activity_id: uuid.UUID
    title: Bilingual | None = Field(description="None when credits never learned the activity")
    hours: Decimal
    language: str
    issued_at: datetime
    status: Literal["valid", "revoked"]
    revoked_at: datetime | None
    revoked_reason: str | None


@router.get("/people/{person_id}/certificates")
async def list_certificates(
    _: Staff,
    pool: Pool,
    person_id: uuid.UUID,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[HeldCertificateOut]:
    """The person's certificates, revoked ones too, newest first; a page at a time
    (`X-Total-Count`: how many)."""
    async with pool.acquire() as conn:
        held, total = await store.certificates.of_person(conn, person_id, limit=limit, offset=offset)
    response.headers[TOTAL_HEADER] = str(total)
    return [
        HeldCertificateOut(
            **{k: v for k, v in vars(c).items() if k in HeldCertificateOut.model_fields},
            title=Bilingual(en=c.title_en, fr=c.title_fr) if c.title_en and c.title_fr else None,
            status="revoked" if c.revoked_at else "valid",
        )
        for c in held
    ]


@router.get(
    "/certificates/{code}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def certificate_pdf(_: StaffOrPublic, pool: Pool, settings: Settings, code: str) -> Response:
    async with pool.acquire() as conn:
        cert = await store.certificates.details(conn, code)
    if cert is None:
        raise Problem(404, "not_found", f"no certificate {code}", "code")
    verify_url = f"{settings.public_url.rstrip('/')}/verify/{code}"  # the public page, not this service
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
