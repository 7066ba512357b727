"""Planned sends (reminders, feedback requests): stored so they survive restarts, claimed by one
replica each."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from hearth_shared.db import Connection

from ..domain.plans import Plan


@dataclass(frozen=True)
class PlanRow:
    """A planned send of one subject (a gathering or a group meeting)."""

    subject_id: uuid.UUID
    plan: Plan


async def replan(conn: Connection, subject_id: uuid.UUID, plans: list[Plan], now: datetime) -> None:
    """Plan (or move) each send; a send whose instant has passed by the time it is planned is not
    made (a "starts in 24 hours" a day late would be wrong). A moved subject's fired sends plan
    again for the new instant."""
    await conn.execute(
        """INSERT INTO plans (subject_id, template, offset_seconds, fire_at, status)
           SELECT $1, t, o, f, CASE WHEN f > $5 THEN 'planned' ELSE 'dropped' END
           FROM unnest($2::text[], $3::int[], $4::timestamptz[]) AS p(t, o, f)
           ON CONFLICT (subject_id, template, offset_seconds) DO UPDATE
           SET fire_at = excluded.fire_at, status = excluded.status, fired_at = NULL
           WHERE plans.fire_at <> excluded.fire_at""",
        subject_id,
        [p.template for p in plans],
        [p.offset_seconds for p in plans],
        [p.fire_at for p in plans],
        now,
    )


async def drop(conn: Connection, subject_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE plans SET status = 'dropped' WHERE subject_id = $1 AND status = 'planned'", subject_id
    )


async def claim_due(conn: Connection, now: datetime, limit: int) -> list[PlanRow]:
    """Lock due plans no other replica holds (inside the caller's transaction)."""
    rows = await conn.fetch(
        """SELECT subject_id, template, offset_seconds, fire_at FROM plans
           WHERE status = 'planned' AND fire_at <= $1 ORDER BY fire_at LIMIT $2
           FOR UPDATE SKIP LOCKED""",
        now,
        limit,
    )
    return [PlanRow(r["subject_id"], Plan(r["template"], r["offset_seconds"], r["fire_at"])) for r in rows]


async def mark_fired(conn: Connection, row: PlanRow, now: datetime) -> None:
    await conn.execute(
        """UPDATE plans SET status = 'fired', fired_at = $4
           WHERE subject_id = $1 AND template = $2 AND offset_seconds = $3""",
        row.subject_id,
        row.plan.template,
        row.plan.offset_seconds,
        now,
    )


async def fired(conn: Connection, subject_id: uuid.UUID, template: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM plans WHERE subject_id = $1 AND template = $2 AND status = 'fired'",
            subject_id,
            template,
        )
    )
