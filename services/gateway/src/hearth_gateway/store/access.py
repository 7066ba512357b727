"""What the gateway itself keeps about a person (not a staff member): the audit log's entries
whose target is their id — which staff action reached their record, when. Staff ids and client
addresses are the staff's data and stay out of the person's export."""

from __future__ import annotations

import json
import uuid
from typing import Any

from hearth_shared.db import Connection


async def audit_entries_about(conn: Connection, person_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT jsonb_build_object('at', at, 'action', action, 'detail', detail)::text AS entry
           FROM audit_log WHERE target = $1 ORDER BY at, id""",
        str(person_id),
    )
    return [json.loads(r["entry"]) for r in rows]
