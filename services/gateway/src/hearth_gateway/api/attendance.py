"""Importing a video platform's attendance report: upload, then the result line by line."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import Response

from ..actions import operations
from ..domain.words import N_
from ..store.services import ServiceError
from .deps import CheckIn, GatewayDep

router = APIRouter(tags=["attendance"])
MAX_BYTES = 5 * 1024 * 1024


@router.get("/gatherings/{gathering_id}/attendance-import")
async def show_import_form(
    request: Request, gw: GatewayDep, signed: CheckIn, gathering_id: uuid.UUID
) -> Response:
    gathering = await gw.services.get(signed.staff, "registration", f"/gatherings/{gathering_id}")
    return gw.pages.render(
        request, "attendance_import.html", {"gathering": gathering}, session=signed.session
    )


@router.post("/gatherings/{gathering_id}/attendance-import")
async def import_attendance(
    request: Request,
    gw: GatewayDep,
    signed: CheckIn,
    gathering_id: uuid.UUID,
    report: UploadFile | None = None,
) -> Response:
    gathering = await gw.services.get(signed.staff, "registration", f"/gatherings/{gathering_id}")
    data = await report.read(MAX_BYTES + 1) if report is not None else b""
    errors: list[tuple[str | None, str]] = []
    result = None
    if not data:
        errors = [("report", N_("Choose the CSV file the video platform exported."))]
    elif len(data) > MAX_BYTES:
        errors = [("report", N_("The file is over 5 MB. Export a shorter report."))]
    else:
        try:
            result = await operations.import_attendance(
                gw.pool,
                gw.services,
                signed.staff,
                str(gathering_id),
                data,
                (report.filename if report else None) or "report.csv",
                signed.address,
            )
        except ServiceError as exc:
            errors = [("report", m) for _, m in exc.messages]
    context = {"gathering": gathering, "result": result, "errors": errors}
    return gw.pages.render(
        request, "attendance_import.html", context, session=signed.session, status_code=422 if errors else 200
    )
