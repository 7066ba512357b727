"""The right of access: every row a service keeps about one person, as JSON.

Each service answers `GET /people/{person_id}/export` (admins only) from its own schema; the
gateway gathers the answers into one document. What a row is "about" the person is found, not
listed: every table of the service's schema with a `person_id` column, plus the tables that name
the person by another column (a `people` table's `id`), so a table added later is exported
without anyone remembering to. The kit's own tables hold no person ids (inbox: event ids; outbox:
events, which the person's rows already show).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
from pydantic import BaseModel

from .db import Connection

PERSON_COLUMN = "person_id"


class PersonData(BaseModel):
    """One service's part of an access request: its rows about the person, table by table."""

    service: str
    person_id: uuid.UUID
    tables: dict[str, list[dict[str, Any]]]


async def _tables_naming(conn: Connection, also: Sequence[str]) -> list[tuple[str, str]]:
    """`(table, column)` of the schema's base tables that name a person by `person_id` or by one
    of `also` (`table.column`)."""
    rows = await conn.fetch(
        """SELECT c.table_name, c.column_name
           FROM information_schema.columns c JOIN information_schema.tables t
                USING (table_catalog, table_schema, table_name)
           WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
             AND c.data_type = 'uuid'
             AND (c.column_name = $1 OR c.table_name || '.' || c.column_name = ANY($2::text[]))
           ORDER BY c.table_name, c.column_name""",
        PERSON_COLUMN,
        list(also),
    )
    return [(r["table_name"], r["column_name"]) for r in rows]


async def rows_about(
    conn: Connection, person_id: uuid.UUID, *, also: Sequence[str] = ()
) -> dict[str, list[dict[str, Any]]]:
    """Every row of the service's schema about `person_id`, by table (tables without any left
    out); each row as Postgres renders it in JSON (timestamps ISO 8601, bytea as hex)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for table, column in await _tables_naming(conn, also):
        records = await conn.fetch(
            f'SELECT to_jsonb(t)::text AS row FROM "{table}" t WHERE "{column}" = $1',  # noqa: S608 - names from the catalogue
            person_id,
        )
        if records:
            found.setdefault(table, []).extend(json.loads(r["row"]) for r in records)
    return found


async def export_person(
    pool: asyncpg.Pool, service: str, person_id: uuid.UUID, *, also: Sequence[str] = ()
) -> PersonData:
    """A service's answer to an access request, read in one snapshot."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        return PersonData(
            service=service, person_id=person_id, tables=await rows_about(conn, person_id, also=also)
        )
