"""Gatherings as last announced, their tickets and their attendance: notifications' read model of
registration's gatherings (tables gatherings, tickets, attendance)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hearth_shared.contracts.catalogue import GatheringSnapshot
from hearth_shared.db import Connection

from ..domain.gatherings import Gathering, from_details


@dataclass(frozen=True)
class GatheringRow:
    """A gathering as last announced."""

    gathering_id: uuid.UUID
    # As emails show it; the join link, which only tickets carry, is not known here.
    gathering: Gathering
    # The noticeable details as stored (JSON values), to tell a real change from a capacity tweak.
    details: dict[str, Any]


@dataclass(frozen=True)
class TicketRow:
    """A ticket: its holder and the gathering as it was sold (with the join link)."""

    ticket_id: uuid.UUID
    person_id: uuid.UUID
    gathering: GatheringSnapshot


@dataclass(frozen=True)
class TicketHolderRow:
    ticket_id: uuid.UUID
    person_id: uuid.UUID
    gathering: GatheringSnapshot


async def gathering(conn: Connection, gathering_id: uuid.UUID) -> GatheringRow | None:
    found = await conn.fetchval("SELECT details FROM gatherings WHERE gathering_id = $1", gathering_id)
    if found is None:
        return None
    details = json.loads(found)
    shown = from_details(gathering_id, details, title="title", join_url=None)
    return GatheringRow(gathering_id, shown, details)


async def lock(conn: Connection, gathering_ids: Iterable[uuid.UUID], *, shared: bool = False) -> None:
    """Order a gathering's cancellation with its tickets' news until the transaction ends: they
    come on different queues, and each must see the other's commit (a ticket bought just before
    the cancellation gets the cancellation email, from one side or the other). Ticket batches take
    it `shared`; ids in order, so two transactions never wait in a circle."""
    lock = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    await conn.execute(
        f"SELECT {lock}(hashtextextended(id::text, 0)) FROM unnest($1::uuid[]) AS id",  # noqa: S608
        sorted(set(gathering_ids)),
    )


async def save_gathering(
    conn: Connection, gathering_id: uuid.UUID, details: dict[str, Any], status: str, revision: int | None
) -> bool:
    """Store the gathering as announced, unless it is cancelled (a tombstone) or the revision held
    is newer or the same (an event without a revision always applies); whether it was stored."""
    stored = await conn.fetchval(
        """INSERT INTO gatherings (gathering_id, details, status, revision) VALUES ($1, $2, $3, $4)
           ON CONFLICT (gathering_id) DO UPDATE SET details = excluded.details, status = excluded.status,
               revision = COALESCE(excluded.revision, gatherings.revision)
           WHERE gatherings.status <> 'cancelled' AND (excluded.revision IS NULL
               OR gatherings.revision IS NULL OR gatherings.revision < excluded.revision)
           RETURNING true""",
        gathering_id,
        json.dumps(details),
        status,
        revision,
    )
    return bool(stored)


async def save_cancellation(
    conn: Connection, gathering_id: uuid.UUID, reason: str | None, revision: int | None
) -> None:
    """The tombstone: the gathering is cancelled for good, whatever arrives after."""
    await conn.execute(
        """INSERT INTO gatherings (gathering_id, details, status, revision, cancel_reason)
           VALUES ($1, NULL, 'cancelled', $2, $3)
           ON CONFLICT (gathering_id) DO UPDATE SET status = 'cancelled',
               cancel_reason = excluded.cancel_reason,
               revision = GREATEST(gatherings.revision, excluded.revision)""",
        gathering_id,
        revision,
        reason,
    )


async def cancelled(conn: Connection, gathering_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str | None]:
    """Which of these gatherings are cancelled, each with the reason given."""
    rows = await conn.fetch(
        "SELECT gathering_id, cancel_reason FROM gatherings "
        "WHERE gathering_id = ANY($1::uuid[]) AND status = 'cancelled'",
        list(set(gathering_ids)),
    )
    return {r["gathering_id"]: r["cancel_reason"] for r in rows}


async def add_tickets(conn: Connection, tickets: list[TicketRow]) -> None:
    """Remember tickets to tell their holders of changes."""
    if not tickets:
        return
    await conn.execute(
        """INSERT INTO tickets (ticket_id, gathering_id, person_id, snapshot)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::jsonb[])
           ON CONFLICT (ticket_id) DO NOTHING""",
        [t.ticket_id for t in tickets],
        [t.gathering.gathering_id for t in tickets],
        [t.person_id for t in tickets],
        [t.gathering.model_dump_json() for t in tickets],
    )


async def cancel_tickets(conn: Connection, ticket_ids: list[uuid.UUID]) -> None:
    if ticket_ids:
        await conn.execute("UPDATE tickets SET active = false WHERE ticket_id = ANY($1::uuid[])", ticket_ids)


async def end_tickets(conn: Connection, gathering_id: uuid.UUID) -> None:
    """A cancelled gathering's tickets: nobody holds a place any more (no payment news, no reminder)."""
    await conn.execute("UPDATE tickets SET active = false WHERE gathering_id = $1 AND active", gathering_id)


async def ticket_holders(conn: Connection, gathering_id: uuid.UUID) -> list[TicketHolderRow]:
    """Each holder and the gathering as their ticket showed it (with the join link)."""
    rows = await conn.fetch(
        "SELECT DISTINCT ON (person_id) ticket_id, person_id, snapshot FROM tickets "
        "WHERE gathering_id = $1 AND active ORDER BY person_id, ticket_id",
        gathering_id,
    )
    return [
        TicketHolderRow(r["ticket_id"], r["person_id"], GatheringSnapshot.model_validate_json(r["snapshot"]))
        for r in rows
    ]


async def tickets(conn: Connection, ticket_ids: list[uuid.UUID]) -> dict[uuid.UUID, TicketRow]:
    """Active tickets by id: their holder and the gathering as sold."""
    rows = await conn.fetch(
        "SELECT ticket_id, person_id, snapshot FROM tickets WHERE ticket_id = ANY($1::uuid[]) AND active",
        ticket_ids,
    )
    return {
        r["ticket_id"]: TicketRow(
            r["ticket_id"], r["person_id"], GatheringSnapshot.model_validate_json(r["snapshot"])
        )
        for r in rows
    }


async def update_snapshots(conn: Connection, snapshots: dict[uuid.UUID, GatheringSnapshot]) -> None:
    """A ticket's gathering as its confirmation shows it (with the join link, once paid)."""
    if not snapshots:
        return
    await conn.execute(
        """UPDATE tickets t SET snapshot = u.s
           FROM unnest($1::uuid[], $2::jsonb[]) AS u(id, s) WHERE t.ticket_id = u.id""",
        list(snapshots),
        [s.model_dump_json() for s in snapshots.values()],
    )


async def record_attendance(conn: Connection, gathering_id: uuid.UUID, person_id: uuid.UUID) -> None:
    await conn.execute(
        "INSERT INTO attendance (gathering_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        gathering_id,
        person_id,
    )


async def attended(conn: Connection, gathering_id: uuid.UUID) -> list[uuid.UUID]:
    """Who attended (the people asked for feedback)."""
    rows = await conn.fetch("SELECT person_id FROM attendance WHERE gathering_id = $1", gathering_id)
    return [r[0] for r in rows]
