"""The audit log: appended to, filtered, paged."""

from __future__ import annotations

import uuid

import asyncpg

from hearth_shared.db import Connection

from ..domain.audit import AuditAction, AuditEntry, AuditFilter
from ..domain.pages import Page


async def append(
    conn: Connection,
    staff_id: uuid.UUID | None,
    action: AuditAction,
    *,
    target: str | None = None,
    detail: str | None = None,
    address: str | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO audit_log (staff_id, action, target, detail, address) VALUES ($1, $2, $3, $4, $5)",
        staff_id,
        action.value,
        target,
        detail,
        address,
    )


_WHERE = """WHERE ($1::text IS NULL OR a.action = $1) AND ($2::uuid IS NULL OR a.staff_id = $2)
              AND ($3::timestamptz IS NULL OR a.at >= $3) AND ($4::timestamptz IS NULL OR a.at < $4)"""


def _args(where: AuditFilter) -> tuple[object, ...]:
    return (where.action.value if where.action else None, where.staff_id, where.since, where.until)


async def search(conn: Connection, where: AuditFilter, page: Page) -> tuple[list[AuditEntry], int]:
    """One page of matching entries, newest first, and how many match in all."""
    rows = await conn.fetch(
        f"""SELECT a.id, a.at, a.staff_id, s.email, a.action, a.target, a.detail, a.address
            FROM audit_log a LEFT JOIN staff s ON s.id = a.staff_id {_WHERE}
            ORDER BY a.at DESC, a.id DESC LIMIT $5 OFFSET $6""",  # noqa: S608 - fixed column lists and clauses; values are parameters
        *_args(where),
        page.size,
        page.offset,
    )
    total = await conn.fetchval(f"SELECT count(*) FROM audit_log a {_WHERE}", *_args(where))  # noqa: S608 - fixed column lists and clauses; values are parameters
    return [_entry(r) for r in rows], int(total or 0)


def _entry(row: asyncpg.Record) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=row["at"],
        staff_id=row["staff_id"],
        staff_email=row["email"],
        action=AuditAction(row["action"]),
        target=row["target"],
        detail=row["detail"],
        address=row["address"],
    )
