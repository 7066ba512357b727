"""Retention on registration's tables (applied by the kit's retention worker, wired in `app`):
attendance imports keep the rows they could not use only for `import_report_retention`."""

from __future__ import annotations

from datetime import datetime

from hearth_shared.db import Connection


async def forget_import_rows(conn: Connection, before: datetime, limit: int) -> int:
    """Empty the unusable rows of up to `limit` imports made before `before`; the import's counts,
    file name and author stay. Returns how many imports it emptied."""
    emptied = await conn.fetch(
        """UPDATE attendance_imports SET errors = '[]'::jsonb WHERE id IN (
               SELECT id FROM attendance_imports WHERE imported_at < $1 AND errors <> '[]'::jsonb
               LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING id""",
        before,
        limit,
    )
    return len(emptied)
