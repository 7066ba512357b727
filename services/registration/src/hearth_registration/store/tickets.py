"""Tickets, and the lists of who holds one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from hearth_shared.contracts.catalogue import Language
from hearth_shared.db import Connection

from ..domain import TicketType
from .people import Person
from .rows import many, maybe, one


@dataclass(frozen=True)
class Ticket:
    id: uuid.UUID
    gathering_id: uuid.UUID
    person_id: uuid.UUID
    ticket_type: str
    price_cents: int
    currency: str
    breakout_id: uuid.UUID | None
    idempotency_key: str | None
    status: str  # a domain.TicketStatus: active (confirmed), awaiting_payment, cancelled, expired
    created_at: datetime
    cancelled_at: datetime | None
    hold_expires_at: datetime | None  # while awaiting payment: when the unpaid hold lapses
    paid_at: datetime | None
    paid_cents: int | None
    payment_method: str | None  # payment_system, or how staff were paid (e_transfer, invoice...)
    payment_reference: str | None
    paid_recorded_by: uuid.UUID | None  # the staff member who marked it paid
    cancelled_by: uuid.UUID | None  # the staff member who cancelled it (None: its holder, or none)
    breakout_moved_by: uuid.UUID | None  # the staff member who last moved it (None: its holder)


@dataclass(frozen=True)
class TicketHolder:
    """A ticket with its holder's contact details, as staff list them."""

    ticket_id: uuid.UUID
    status: str
    ticket_type: str
    price_cents: int
    currency: str
    created_at: datetime
    hold_expires_at: datetime | None
    breakout_id: uuid.UUID | None
    breakout: str | None  # the breakout's English name
    person_id: uuid.UUID
    name: str
    email: str
    preferred_language: Language
    member_id: str | None
    profession: str | None
    regulatory_body: str | None
    region: str | None
    erased_at: datetime | None  # set: the name and email are pseudonyms (erased on request)


async def ticket_by_key(conn: Connection, key: str) -> Ticket | None:
    return maybe(Ticket, await conn.fetchrow("SELECT * FROM tickets WHERE idempotency_key = $1", key))


async def ticket_for(conn: Connection, gathering_id: uuid.UUID, person_id: uuid.UUID) -> Ticket | None:
    """The person's place at the gathering, if any: an active ticket or one held awaiting payment
    (either is one per person; either holder may be checked in, and pay at the door)."""
    record = await conn.fetchrow(
        "SELECT * FROM tickets WHERE gathering_id = $1 AND person_id = $2 "
        "AND status IN ('active', 'awaiting_payment')",
        gathering_id,
        person_id,
    )
    return maybe(Ticket, record)


async def insert_ticket(
    conn: Connection,
    *,
    gathering_id: uuid.UUID,
    person_id: uuid.UUID,
    ticket_type: TicketType,
    breakout_id: uuid.UUID | None,
    idempotency_key: str | None,
    hold_minutes: float | None = None,
) -> Ticket:
    """A ticket at the ticket type's price (the price is copied: a later change does not alter
    what was sold); with `hold_minutes`, held awaiting payment for that long."""
    record = await conn.fetchrow(
        """INSERT INTO tickets (id, gathering_id, person_id, ticket_type, price_cents, currency,
                                breakout_id, idempotency_key, status, hold_expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                   CASE WHEN $9::float8 IS NULL THEN 'active' ELSE 'awaiting_payment' END,
                   now() + make_interval(secs => $9::float8 * 60))
           RETURNING *""",
        uuid.uuid4(),
        gathering_id,
        person_id,
        ticket_type.kind,
        ticket_type.price_cents,
        ticket_type.currency,
        breakout_id,
        idempotency_key,
        hold_minutes,
    )
    return one(Ticket, record)


async def confirm_ticket(
    conn: Connection,
    ticket_id: uuid.UUID,
    *,
    paid_cents: int,
    method: str,
    reference: str | None,
    paid_at: datetime | None,
    recorded_by: uuid.UUID | None,
) -> Ticket:
    """A held ticket paid: active, with how it was paid (and who recorded it, for staff)."""
    record = await conn.fetchrow(
        """UPDATE tickets SET status = 'active', hold_expires_at = NULL, paid_at = coalesce($5, now()),
                  paid_cents = $2, payment_method = $3, payment_reference = $4, paid_recorded_by = $6
           WHERE id = $1 RETURNING *""",
        ticket_id,
        paid_cents,
        method,
        reference,
        paid_at,
        recorded_by,
    )
    return one(Ticket, record)


async def expire_ticket(conn: Connection, ticket_id: uuid.UUID) -> Ticket:
    record = await conn.fetchrow(
        "UPDATE tickets SET status = 'expired', cancelled_at = now() WHERE id = $1 RETURNING *", ticket_id
    )
    return one(Ticket, record)


async def claim_expired_holds(conn: Connection, limit: int) -> list[Ticket]:
    """Unpaid holds that have run out, locked for this transaction (other replicas skip them)."""
    records = await conn.fetch(
        "SELECT * FROM tickets WHERE status = 'awaiting_payment' AND hold_expires_at <= now() "
        "ORDER BY hold_expires_at LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
    )
    return many(Ticket, records)


async def get_ticket(conn: Connection, ticket_id: uuid.UUID) -> Ticket | None:
    return maybe(Ticket, await conn.fetchrow("SELECT * FROM tickets WHERE id = $1", ticket_id))


async def lock_ticket(conn: Connection, ticket_id: uuid.UUID) -> Ticket | None:
    return maybe(Ticket, await conn.fetchrow("SELECT * FROM tickets WHERE id = $1 FOR UPDATE", ticket_id))


async def move_ticket(
    conn: Connection, ticket_id: uuid.UUID, breakout_id: uuid.UUID | None, by: uuid.UUID | None
) -> Ticket:
    record = await conn.fetchrow(
        "UPDATE tickets SET breakout_id = $2, breakout_moved_by = $3 WHERE id = $1 RETURNING *",
        ticket_id,
        breakout_id,
        by,
    )
    return one(Ticket, record)


async def cancel_ticket(conn: Connection, ticket_id: uuid.UUID, by: uuid.UUID | None) -> Ticket:
    record = await conn.fetchrow(
        "UPDATE tickets SET status = 'cancelled', cancelled_at = now(), cancelled_by = $2 "
        "WHERE id = $1 RETURNING *",
        ticket_id,
        by,
    )
    return one(Ticket, record)


async def active_ticket_holders(conn: Connection, gathering_id: uuid.UUID) -> list[Person]:
    """The people holding a seat (a ticket active or held awaiting payment), for attendance."""
    records = await conn.fetch(
        "SELECT p.* FROM tickets t JOIN people p ON p.id = t.person_id "
        "WHERE t.gathering_id = $1 AND t.status IN ('active', 'awaiting_payment')",
        gathering_id,
    )
    return many(Person, records)
