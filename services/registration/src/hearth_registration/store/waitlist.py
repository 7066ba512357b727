"""The waitlist: a line per full gathering, and the seats held for those offered one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from hearth_shared.db import Connection

from .rows import many, maybe, one


@dataclass(frozen=True)
class WaitlistEntry:
    id: uuid.UUID
    gathering_id: uuid.UUID
    person_id: uuid.UUID
    ticket_type: str
    practice_area: str | None
    idempotency_key: str | None
    status: str  # a domain.WaitlistStatus
    joined_seq: int
    joined_at: datetime
    offered_at: datetime | None
    offer_expires_at: datetime | None
    settled_at: datetime | None
    ticket_id: uuid.UUID | None  # the ticket an accepted offer became


async def waitlist_by_key(conn: Connection, key: str) -> WaitlistEntry | None:
    return maybe(WaitlistEntry, await conn.fetchrow("SELECT * FROM waitlist WHERE idempotency_key = $1", key))


async def join_waitlist(
    conn: Connection,
    *,
    gathering_id: uuid.UUID,
    person_id: uuid.UUID,
    ticket_type: str,
    practice_area: str | None,
    idempotency_key: str | None,
) -> tuple[WaitlistEntry, int]:
    """Add to the end of the line; return the entry and its position (1 = next)."""
    entry = one(
        WaitlistEntry,
        await conn.fetchrow(
            """INSERT INTO waitlist (id, gathering_id, person_id, ticket_type, practice_area,
                                     idempotency_key)
               VALUES ($1, $2, $3, $4, $5, $6) RETURNING *""",
            uuid.uuid4(),
            gathering_id,
            person_id,
            ticket_type,
            practice_area,
            idempotency_key,
        ),
    )
    position = await conn.fetchval(
        "SELECT count(*) FROM waitlist WHERE gathering_id = $1 AND status = 'waiting' AND joined_seq <= $2",
        gathering_id,
        entry.joined_seq,
    )
    return entry, int(position)


async def next_waiting(conn: Connection, gathering_id: uuid.UUID) -> WaitlistEntry | None:
    record = await conn.fetchrow(
        "SELECT * FROM waitlist WHERE gathering_id = $1 AND status = 'waiting' "
        "ORDER BY joined_seq LIMIT 1 FOR UPDATE SKIP LOCKED",
        gathering_id,
    )
    return maybe(WaitlistEntry, record)


async def offer(conn: Connection, entry_id: uuid.UUID, hold_seconds: float) -> WaitlistEntry:
    record = await conn.fetchrow(
        "UPDATE waitlist SET status = 'offered', offered_at = now(), "
        "offer_expires_at = now() + make_interval(secs => $2) WHERE id = $1 RETURNING *",
        entry_id,
        hold_seconds,
    )
    return one(WaitlistEntry, record)


async def get_waitlist_entry(conn: Connection, entry_id: uuid.UUID) -> WaitlistEntry | None:
    return maybe(WaitlistEntry, await conn.fetchrow("SELECT * FROM waitlist WHERE id = $1", entry_id))


async def lock_waitlist_entry(conn: Connection, entry_id: uuid.UUID) -> WaitlistEntry | None:
    return maybe(
        WaitlistEntry, await conn.fetchrow("SELECT * FROM waitlist WHERE id = $1 FOR UPDATE", entry_id)
    )


async def settle_waitlist_entry(
    conn: Connection, entry_id: uuid.UUID, status: str, ticket_id: uuid.UUID | None = None
) -> WaitlistEntry:
    record = await conn.fetchrow(
        "UPDATE waitlist SET status = $2, settled_at = now(), ticket_id = $3 WHERE id = $1 RETURNING *",
        entry_id,
        status,
        ticket_id,
    )
    return one(WaitlistEntry, record)


async def claim_expired_offers(conn: Connection, limit: int) -> list[WaitlistEntry]:
    """Offers whose hold has run out, locked for this transaction (other replicas skip them)."""
    records = await conn.fetch(
        "SELECT * FROM waitlist WHERE status = 'offered' AND offer_expires_at <= now() "
        "ORDER BY offer_expires_at LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
    )
    return many(WaitlistEntry, records)


@dataclass(frozen=True)
class PlaceInLine(WaitlistEntry):
    name: str  # who holds the place, as staff read the line


async def line_page(
    conn: Connection, gathering_id: uuid.UUID, statuses: list[str] | None, *, limit: int, offset: int
) -> tuple[list[PlaceInLine], int]:
    """One page of the gathering's line in the order people joined it (only the entries whose
    status is in `statuses`, when given), and how many entries those are."""
    records = await conn.fetch(
        """SELECT w.*, p.name FROM waitlist w JOIN people p ON p.id = w.person_id
           WHERE w.gathering_id = $1 AND ($2::text[] IS NULL OR w.status = ANY($2::text[]))
           ORDER BY w.joined_seq LIMIT $3 OFFSET $4""",
        gathering_id,
        statuses,
        limit,
        offset,
    )
    total = await conn.fetchval(
        "SELECT count(*) FROM waitlist "
        "WHERE gathering_id = $1 AND ($2::text[] IS NULL OR status = ANY($2::text[]))",
        gathering_id,
        statuses,
    )
    return many(PlaceInLine, records), int(total)


async def close_line(conn: Connection, gathering_id: uuid.UUID) -> int:
    """Close every open entry of the gathering (cancelled or begun); the number of them that held
    an offered seat, for the caller to release."""
    offered = await conn.fetchval(
        """WITH closed AS (
               UPDATE waitlist w SET status = 'closed', settled_at = now()
               FROM (SELECT id, status FROM waitlist WHERE gathering_id = $1
                     AND status IN ('waiting', 'offered') FOR UPDATE) open
               WHERE w.id = open.id RETURNING open.status)
           SELECT count(*) FILTER (WHERE status = 'offered') FROM closed""",
        gathering_id,
    )
    return int(offered)
