"""Retention on the gateway's tables (applied by the kit's retention worker, wired in `app`): audit
entries are kept for `audit_retention`, then deleted."""

from __future__ import annotations

from datetime import datetime

from hearth_shared.db import Connection


async def forget_audit_entries(conn: Connection, before: datetime, limit: int) -> int:
    """Delete up to `limit` audit entries written before `before`; returns how many it deleted."""
    deleted = await conn.fetch(
        """DELETE FROM audit_log WHERE id IN (
               SELECT id FROM audit_log WHERE at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING id""",
        before,
        limit,
    )
    return len(deleted)
