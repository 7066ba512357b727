"""Retention on notifications' tables: finished emails' content blanked, finished plans deleted,
a bounded batch at a time (rows another replica holds are skipped)."""

from __future__ import annotations

from datetime import datetime

from hearth_shared.db import Connection

from ..domain.retention import FINISHED


async def blank_bodies(conn: Connection, before: datetime, limit: int) -> int:
    """Blank subject, bodies and calendar of finished emails created before `before`."""
    rows = await conn.fetch(
        """UPDATE deliveries SET subject = '', body_text = '', body_html = '', calendar = NULL,
                                  unsubscribe_url = NULL
           WHERE id IN (SELECT id FROM deliveries
                        WHERE status = ANY($1::text[]) AND created_at < $2
                          AND (body_text <> '' OR body_html <> '' OR subject <> '' OR calendar IS NOT NULL)
                        ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED)
           RETURNING 1""",
        list(FINISHED),
        before,
        limit,
    )
    return len(rows)


async def drop_finished_plans(conn: Connection, before: datetime, limit: int) -> int:
    """Delete fired or dropped plans whose instant was before `before`."""
    rows = await conn.fetch(
        """DELETE FROM plans WHERE ctid IN (
               SELECT ctid FROM plans WHERE status IN ('fired', 'dropped')
                 AND coalesce(fired_at, fire_at) < $1
               LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING 1""",
        before,
        limit,
    )
    return len(rows)
