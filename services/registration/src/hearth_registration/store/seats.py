"""Tickets and the waitlist."""

from __future__ import annotations

import uuid

import asyncpg

from hearth_shared.db import Connection


async def ticket_by_key(conn: Connection, key: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM tickets WHERE idempotency_key = $1", key)


async def ticket_for(
    conn: Connection, gathering_id: uuid.UUID, person_id: uuid.UUID
) -> asyncpg.Record | None:
    """The person's active ticket for the gathering, if any."""
    return await conn.fetchrow(
        "SELECT * FROM tickets WHERE gathering_id = $1 AND person_id = $2 AND status = 'active'",
        gathering_id,
        person_id,
    )


async def insert_ticket(
    conn: Connection,
    *,
    gathering_id: uuid.UUID,
    person_id: uuid.UUID,
    ticket_type: asyncpg.Record,
    breakout_id: uuid.UUID | None,
    idempotency_key: str | None,
) -> asyncpg.Record:
    """A ticket at the ticket type's price (the price is copied: a later change does not alter
    what was sold)."""
    row = await conn.fetchrow(
        """INSERT INTO tickets (id, gathering_id, person_id, ticket_type, price_cents, currency,
                                breakout_id, idempotency_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *""",
        uuid.uuid4(),
        gathering_id,
        person_id,
        ticket_type["kind"],
        ticket_type["price_cents"],
        ticket_type["currency"],
        breakout_id,
        idempotency_key,
    )
    assert row is not None
    return row


async def get_ticket(conn: Connection, ticket_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM tickets WHERE id = $1", ticket_id)


async def move_ticket(
    conn: Connection, ticket_id: uuid.UUID, breakout_id: uuid.UUID | None
) -> asyncpg.Record:
    row = await conn.fetchrow(
        "UPDATE tickets SET breakout_id = $2 WHERE id = $1 RETURNING *", ticket_id, breakout_id
    )
    assert row is not None
    return row


async def active_ticket_holders(conn: Connection, gathering_id: uuid.UUID) -> list[asyncpg.Record]:
    """The people holding an active ticket (id and email), for attendance."""
    return await conn.fetch(
        "SELECT p.* FROM tickets t JOIN people p ON p.id = t.person_id "
        "WHERE t.gathering_id = $1 AND t.status = 'active'",
        gathering_id,
    )


async def lock_ticket(conn: Connection, ticket_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM tickets WHERE id = $1 FOR UPDATE", ticket_id)


async def cancel_ticket(conn: Connection, ticket_id: uuid.UUID) -> asyncpg.Record:
    row = await conn.fetchrow(
        "UPDATE tickets SET status = 'cancelled', cancelled_at = now() WHERE id = $1 RETURNING *",
        ticket_id,
    )
    assert row is not None
    return row


async def waitlist_by_key(conn: Connection, key: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM waitlist WHERE idempotency_key = $1", key)


async def open_waitlist_entry(
    conn: Connection, gathering_id: uuid.UUID, person_id: uuid.UUID
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM waitlist WHERE gathering_id = $1 AND person_id = $2 "
        "AND status IN ('waiting', 'offered')",
        gathering_id,
        person_id,
    )


async def join_waitlist(
    conn: Connection,
    *,
    gathering_id: uuid.UUID,
    person_id: uuid.UUID,
    ticket_type: str,
    practice_area: str | None,
    idempotency_key: str | None,
) -> tuple[asyncpg.Record, int]:
    """Add to the end of the line; return the entry and its position (1 = next)."""
    entry = await conn.fetchrow(
        """INSERT INTO waitlist (id, gathering_id, person_id, ticket_type, practice_area,
                                 idempotency_key)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *""",
        uuid.uuid4(),
        gathering_id,
        person_id,
        ticket_type,
        practice_area,
        idempotency_key,
    )
    assert entry is not None
    position = await conn.fetchval(
        "SELECT count(*) FROM waitlist WHERE gathering_id = $1 AND status = 'waiting' AND joined_seq <= $2",
        gathering_id,
        entry["joined_seq"],
    )
    return entry, int(position)


async def next_waiting(conn: Connection, gathering_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM waitlist WHERE gathering_id = $1 AND status = 'waiting' "
        "ORDER BY joined_seq LIMIT 1 FOR UPDATE SKIP LOCKED",
        gathering_id,
    )


async def offer(conn: Connection, entry_id: uuid.UUID, hold_seconds: float) -> asyncpg.Record:
    row = await conn.fetchrow(
        "UPDATE waitlist SET status = 'offered', offered_at = now(), "
        "offer_expires_at = now() + make_interval(secs => $2) WHERE id = $1 RETURNING *",
        entry_id,
        hold_seconds,
    )
    assert row is not None
    return row


async def lock_waitlist_entry(conn: Connection, entry_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM waitlist WHERE id = $1 FOR UPDATE", entry_id)


async def settle_waitlist_entry(
    conn: Connection, entry_id: uuid.UUID, status: str, ticket_id: uuid.UUID | None = None
) -> asyncpg.Record:
    row = await conn.fetchrow(
        "UPDATE waitlist SET status = $2, settled_at = now(), ticket_id = $3 WHERE id = $1 RETURNING *",
        entry_id,
        status,
        ticket_id,
    )
    assert row is not None
    return row


async def claim_expired_offers(conn: Connection, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM waitlist WHERE status = 'offered' AND offer_expires_at <= now() "
        "ORDER BY offer_expires_at LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
    )


async def list_waitlist(conn: Connection, gathering_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM waitlist WHERE gathering_id = $1 ORDER BY joined_seq", gathering_id
    )


async def list_registrants(
    conn: Connection,
    gathering_id: uuid.UUID,
    *,
    status: str | None,
    ticket_type: str | None,
    search: str | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Ticket holders of a gathering with their contact details, oldest ticket first."""
    return await conn.fetch(
        """SELECT t.id AS ticket_id, t.status, t.ticket_type, t.price_cents, t.currency, t.created_at,
                  t.breakout_id, b.name_en AS breakout,
                  p.id AS person_id, p.name, p.email, p.preferred_language, p.member_id,
                  p.profession, p.regulatory_body, p.region
           FROM tickets t JOIN people p ON p.id = t.person_id
                LEFT JOIN breakouts b ON b.id = t.breakout_id
           WHERE t.gathering_id = $1
             AND ($2::text IS NULL OR t.status = $2)
             AND ($3::text IS NULL OR t.ticket_type = $3)
             AND ($4::text IS NULL OR p.name ILIKE '%' || $4 || '%' OR p.email ILIKE '%' || $4 || '%')
           ORDER BY t.created_at LIMIT $5""",
        gathering_id,
        status,
        ticket_type,
        search,
        limit,
    )
