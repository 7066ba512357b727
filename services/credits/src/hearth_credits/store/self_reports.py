"""The self_reports table: activities outside Hearth a person reports, and staff's decisions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from hearth_shared.db import Connection

from ..domain.self_reports import SelfReport

_COLUMNS = (
    "id, person_id, title, category, hours, activity_date, evidence, status, decision_reason, "
    "submitted_at, decided_at, submitted_by, decided_by"
)


async def insert(
    conn: Connection,
    person_id: uuid.UUID,
    title: str,
    category: str,
    hours: Decimal,
    day: date,
    evidence: str,
    by: uuid.UUID,
) -> SelfReport:
    row = await conn.fetchrow(
        f"""INSERT INTO self_reports (id, person_id, title, category, hours, activity_date, evidence,
                                      submitted_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {_COLUMNS}""",  # noqa: S608
        uuid.uuid4(),
        person_id,
        title,
        category,
        hours,
        day,
        evidence,
        by,
    )
    assert row is not None
    return SelfReport(**dict(row))


async def lock(conn: Connection, report_id: uuid.UUID) -> SelfReport | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM self_reports WHERE id = $1 FOR UPDATE",  # noqa: S608
        report_id,
    )
    return SelfReport(**dict(row)) if row else None


async def decide(
    conn: Connection,
    report_id: uuid.UUID,
    status: str,
    reason: str | None,
    decided_at: datetime,
    by: uuid.UUID,
) -> SelfReport:
    row = await conn.fetchrow(
        f"""UPDATE self_reports SET status = $2, decision_reason = $3, decided_at = $4, decided_by = $5
            WHERE id = $1 RETURNING {_COLUMNS}""",  # noqa: S608
        report_id,
        status,
        reason,
        decided_at,
        by,
    )
    assert row is not None
    return SelfReport(**dict(row))


async def matching(
    conn: Connection,
    *,
    status: str | None,
    person_id: uuid.UUID | None,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = False,
) -> tuple[list[SelfReport], int]:
    """One page of the reports with this status and of this person (either or both may be None:
    any), by submission, and how many there are."""
    where = "WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR person_id = $2)"
    order = "submitted_at DESC, id" if newest_first else "submitted_at, id"
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM self_reports {where} ORDER BY {order} LIMIT $3 OFFSET $4",  # noqa: S608
        status,
        person_id,
        limit,
        offset,
    )
    total = await conn.fetchval(f"SELECT count(*) FROM self_reports {where}", status, person_id)  # noqa: S608
    return [SelfReport(**dict(r)) for r in rows], int(total)
