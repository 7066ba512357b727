"""The right of access: what notifications keeps: the recipient, preferences, each email (with
its content while retention keeps it), tickets and attendance as emails need them, digests —
every row naming the person (`hearth_shared.access` finds the tables)."""

from __future__ import annotations

import uuid

import asyncpg

from hearth_shared.access import PersonData, export_person

# Tables that name the person by a column other than `person_id`.
ALSO: list[str] = []


async def person(pool: asyncpg.Pool, service: str, person_id: uuid.UUID) -> PersonData:
    return await export_person(pool, service, person_id, also=ALSO)
