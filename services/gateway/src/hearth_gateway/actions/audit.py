"""Audit entries that stand alone: a refusal, a read staff should answer for (an export)."""

from __future__ import annotations

import uuid

import asyncpg

from ..domain.audit import AuditAction
from ..store import audit


async def record(
    pool: asyncpg.Pool,
    staff_id: uuid.UUID | None,
    action: AuditAction,
    *,
    target: str | None = None,
    detail: str | None = None,
    address: str | None = None,
) -> None:
    async with pool.acquire() as conn:
        await audit.append(conn, staff_id, action, target=target, detail=detail, address=address)
