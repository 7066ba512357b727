"""Gatherings, tickets, attendance, groups and group meetings as notifications needs them."""

from __future__ import annotations

import json
import uuid
from typing import Any

from hearth_shared.contracts.catalogue import GatheringSnapshot
from hearth_shared.db import Connection


async def gathering(conn: Connection, gathering_id: uuid.UUID) -> dict[str, Any] | None:
    details = await conn.fetchval("SELECT details FROM gatherings WHERE gathering_id = $1", gathering_id)
    return json.loads(details) if details is not None else None


async def save_gathering(
    conn: Connection, gathering_id: uuid.UUID, details: dict[str, Any], status: str
) -> None:
    await conn.execute(
        """INSERT INTO gatherings (gathering_id, details, status) VALUES ($1, $2, $3)
           ON CONFLICT (gathering_id) DO UPDATE SET details = excluded.details, status = excluded.status""",
        gathering_id,
        json.dumps(details),
        status,
    )


async def add_tickets(
    conn: Connection, tickets: list[tuple[uuid.UUID, uuid.UUID, GatheringSnapshot]]
) -> None:
    """Remember tickets (id, holder, the gathering as sold) to tell their holders of changes."""
    if not tickets:
        return
    await conn.execute(
        """INSERT INTO tickets (ticket_id, gathering_id, person_id, snapshot)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::jsonb[])
           ON CONFLICT (ticket_id) DO NOTHING""",
        [t for t, _, _ in tickets],
        [g.gathering_id for _, _, g in tickets],
        [p for _, p, _ in tickets],
        [g.model_dump_json() for _, _, g in tickets],
    )


async def cancel_tickets(conn: Connection, ticket_ids: list[uuid.UUID]) -> None:
    if ticket_ids:
        await conn.execute("UPDATE tickets SET active = false WHERE ticket_id = ANY($1::uuid[])", ticket_ids)


async def ticket_holders(
    conn: Connection, gathering_id: uuid.UUID
) -> list[tuple[uuid.UUID, GatheringSnapshot]]:
    """Each holder's person id and the gathering as their ticket showed it (with the join link)."""
    rows = await conn.fetch(
        "SELECT DISTINCT ON (person_id) person_id, snapshot FROM tickets WHERE gathering_id = $1 AND active",
        gathering_id,
    )
    return [(r["person_id"], GatheringSnapshot.model_validate_json(r["snapshot"])) for r in rows]


async def record_attendance(conn: Connection, gathering_id: uuid.UUID, person_id: uuid.UUID) -> None:
    await conn.execute(
        "INSERT INTO attendance (gathering_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        gathering_id,
        person_id,
    )


async def attendees(conn: Connection, gathering_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await conn.fetch("SELECT person_id FROM attendance WHERE gathering_id = $1", gathering_id)
    return [r[0] for r in rows]


async def join_group(conn: Connection, group_id: uuid.UUID, person_ids: list[uuid.UUID]) -> None:
    await conn.execute(
        "INSERT INTO group_members (group_id, person_id) SELECT $1, unnest($2::uuid[]) "
        "ON CONFLICT DO NOTHING",
        group_id,
        person_ids,
    )


async def leave_group(conn: Connection, group_id: uuid.UUID, person_id: uuid.UUID) -> None:
    await conn.execute(
        "DELETE FROM group_members WHERE group_id = $1 AND person_id = $2", group_id, person_id
    )


async def group_members(conn: Connection, group_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await conn.fetch("SELECT person_id FROM group_members WHERE group_id = $1", group_id)
    return [r[0] for r in rows]


async def save_meeting(
    conn: Connection, meeting_id: uuid.UUID, group_id: uuid.UUID, details: dict[str, Any]
) -> None:
    await conn.execute(
        """INSERT INTO group_meetings (meeting_id, group_id, details) VALUES ($1, $2, $3)
           ON CONFLICT (meeting_id) DO UPDATE SET details = excluded.details""",
        meeting_id,
        group_id,
        json.dumps(details),
    )


async def meeting(conn: Connection, meeting_id: uuid.UUID) -> tuple[uuid.UUID, dict[str, Any]] | None:
    row = await conn.fetchrow(
        "SELECT group_id, details FROM group_meetings WHERE meeting_id = $1", meeting_id
    )
    return (row["group_id"], json.loads(row["details"])) if row else None
