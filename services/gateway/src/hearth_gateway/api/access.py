"""The right of access: an admin downloads everything Hearth keeps about one person as one JSON
document — each service's rows about them (`GET /people/{id}/export` on every service), their
transcript for the current cycle, and the gateway's own audit entries about them. Every
download is audited; the document is never cached."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import Response

from ..actions import audit
from ..domain.audit import AuditAction
from ..store import access
from .deps import ExportPersonData, GatewayDep

router = APIRouter(tags=["privacy"])

# Every service that keeps rows about people; a service that does not answer fails the export
# (502): an access request is answered whole or not at all.
SERVICES = ("registration", "credits", "notifications", "groups")


@router.get("/people/{person_id}/export")
async def export_person_data(gw: GatewayDep, signed: ExportPersonData, person_id: uuid.UUID) -> Response:
    who = signed.staff
    parts, transcript = await asyncio.gather(
        asyncio.gather(*(gw.services.get(who, s, f"/people/{person_id}/export") for s in SERVICES)),
        gw.services.get(who, "credits", f"/people/{person_id}/transcript"),
    )
    async with gw.pool.acquire() as conn:
        entries = await access.audit_entries_about(conn, person_id)
    document = {
        "person_id": str(person_id),
        "exported_at": datetime.now(UTC).isoformat(),
        "services": {part["service"]: part["tables"] for part in parts} | {"gateway": {"audit_log": entries}},
        "transcript": transcript,
    }
    await audit.record(
        gw.pool, who.id, AuditAction.PERSON_DATA_EXPORTED, target=str(person_id), address=signed.address
    )
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="person-{person_id}.json"',
            "Cache-Control": "no-store",
        },
    )
