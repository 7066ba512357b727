"""The right of access: what credits keeps: name and email, attendance, the ledger, standing
awards, certificates, self-reports —
every row naming the person (`hearth_shared.access` finds the tables)."""

from __future__ import annotations

import uuid

import asyncpg

from hearth_shared.access import PersonData, export_person

# Tables that name the person by a column other than `person_id`.
ALSO: list[str] = ["people.id"]


async def person(pool: asyncpg.Pool, service: str, person_id: uuid.UUID) -> PersonData:
    return await export_person(pool, service, person_id, also=ALSO)
