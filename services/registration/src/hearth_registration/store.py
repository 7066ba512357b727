"""Queries on registration's own schema. Every function takes the caller's connection, so the
caller decides the transaction."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from hearth_shared.contracts.catalogue import MemberUpserted
from hearth_shared.db import Connection


async def insert_gathering(conn: Connection, fields: dict[str, Any]) -> asyncpg.Record:
    row = await conn.fetchrow(
        """INSERT INTO gatherings (id, title_en, title_fr, kind, modality, starts_at, ends_at,
                                   time_zone, capacity, venue, join_url, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *""",
        uuid.uuid4(),
        fields["title_en"],
        fields["title_fr"],
        fields["kind"],
        fields["modality"],
        fields["starts_at"],
        fields["ends_at"],
        fields["time_zone"],
        fields["capacity"],
        fields["venue"],
        fields["join_url"],
        fields["status"],
    )
    assert row is not None
    return row


async def get_gathering(conn: Connection, gathering_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM gatherings WHERE id = $1", gathering_id)


async def list_gatherings(conn: Connection, *, status: str | None, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM gatherings WHERE ($1::text IS NULL OR status = $1) ORDER BY starts_at LIMIT $2",
        status,
        limit,
    )


async def take_seat(conn: Connection, gathering_id: uuid.UUID) -> asyncpg.Record | None:
    """Take one seat if the gathering is open and not full (atomic under concurrency)."""
    return await conn.fetchrow(
        "UPDATE gatherings SET seats_taken = seats_taken + 1 "
        "WHERE id = $1 AND status = 'open' AND seats_taken < capacity RETURNING *",
        gathering_id,
    )


async def upsert_person(conn: Connection, *, email: str, name: str, language: str) -> asyncpg.Record:
    row = await conn.fetchrow(
        """INSERT INTO people (id, email, name, preferred_language) VALUES ($1, $2, $3, $4)
           ON CONFLICT ((lower(email))) DO UPDATE
               SET name = EXCLUDED.name, preferred_language = EXCLUDED.preferred_language,
                   updated_at = now()
           RETURNING *""",
        uuid.uuid4(),
        email,
        name,
        language,
    )
    assert row is not None
    return row


async def upsert_member(conn: Connection, member: MemberUpserted) -> None:
    """Apply the register's view of a member, unless this person holds a newer one already.
    The email is the person's identity."""
    await conn.execute(
        """INSERT INTO people (id, email, name, preferred_language, member_id,
                               registration_number, membership_status, member_changed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT ((lower(email))) DO UPDATE
               SET name = EXCLUDED.name, preferred_language = EXCLUDED.preferred_language,
                   member_id = EXCLUDED.member_id,
                   registration_number = EXCLUDED.registration_number,
                   membership_status = EXCLUDED.membership_status,
                   member_changed_at = EXCLUDED.member_changed_at, updated_at = now()
               WHERE people.member_changed_at IS NULL
                  OR people.member_changed_at < EXCLUDED.member_changed_at""",
        uuid.uuid4(),
        member.email.lower(),
        member.name,
        member.preferred_language,
        member.member_id,
        member.registration_number,
        member.status.value,
        member.changed_at,
    )


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
    ticket_type: str,
    price_cents: int,
    idempotency_key: str | None,
) -> asyncpg.Record:
    row = await conn.fetchrow(
        """INSERT INTO tickets (id, gathering_id, person_id, ticket_type, price_cents,
                                idempotency_key)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *""",
        uuid.uuid4(),
        gathering_id,
        person_id,
        ticket_type,
        price_cents,
        idempotency_key,
    )
    assert row is not None
    return row


async def lock_gathering(conn: Connection, gathering_id: uuid.UUID) -> asyncpg.Record | None:
    """Serialise the seat decisions of one gathering (who waits, who is offered a freed seat)."""
    return await conn.fetchrow("SELECT * FROM gatherings WHERE id = $1 FOR UPDATE", gathering_id)


async def release_seat(conn: Connection, gathering_id: uuid.UUID) -> None:
    await conn.execute("UPDATE gatherings SET seats_taken = seats_taken - 1 WHERE id = $1", gathering_id)


async def get_person(conn: Connection, person_id: uuid.UUID) -> asyncpg.Record:
    row = await conn.fetchrow("SELECT * FROM people WHERE id = $1", person_id)
    assert row is not None
    return row


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
    idempotency_key: str | None,
) -> tuple[asyncpg.Record, int]:
    """Add to the end of the line; return the entry and its position (1 = next)."""
    entry = await conn.fetchrow(
        """INSERT INTO waitlist (id, gathering_id, person_id, ticket_type, idempotency_key)
           VALUES ($1, $2, $3, $4, $5) RETURNING *""",
        uuid.uuid4(),
        gathering_id,
        person_id,
        ticket_type,
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
                  p.id AS person_id, p.name, p.email, p.preferred_language, p.member_id
           FROM tickets t JOIN people p ON p.id = t.person_id
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
