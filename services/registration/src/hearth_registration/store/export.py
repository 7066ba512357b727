"""The right of access: what registration keeps: the person record, tickets, waiting-list entries,
attendance, feedback and the erasure tombstone — every row naming the person
(`hearth_shared.access` finds the tables) — and the rows of attendance imports that name them by
the address alone (a report's line for someone who held no ticket: no person id to find it by)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg

from hearth_shared.access import PersonData, rows_about
from hearth_shared.db import Connection

# Tables that name the person by a column other than `person_id`.
ALSO: list[str] = ["people.id"]
IMPORT_ERRORS = "attendance_import_errors"


async def person(pool: asyncpg.Pool, service: str, person_id: uuid.UUID) -> PersonData:
    """Registration's answer to an access request, read in one snapshot."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        tables = await rows_about(conn, person_id, also=ALSO)
        if rows := await import_errors_naming(conn, person_id):
            tables[IMPORT_ERRORS] = rows
    return PersonData(service=service, person_id=person_id, tables=tables)


async def import_errors_naming(conn: Connection, person_id: uuid.UUID) -> list[dict[str, Any]]:
    """The unusable rows of attendance imports that quote the person's address (matched as erasure
    matches them, so whatever erasure would take out is shown first), each with its import."""
    records = await conn.fetch(
        """SELECT jsonb_build_object('import_id', i.id, 'gathering_id', i.gathering_id,
                      'filename', i.filename, 'imported_at', i.imported_at, 'row', e)::text AS row
           FROM people p
           JOIN attendance_imports i ON strpos(lower(i.errors::text), lower(p.email)) > 0
           CROSS JOIN LATERAL jsonb_array_elements(i.errors) WITH ORDINALITY AS x(e, n)
           WHERE p.id = $1 AND strpos(lower(e::text), lower(p.email)) > 0
           ORDER BY i.imported_at, i.id, n""",
        person_id,
    )
    return [json.loads(r["row"]) for r in records]
