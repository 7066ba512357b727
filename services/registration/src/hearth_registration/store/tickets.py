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
    status: str  # active, cancelled
    created_at: datetime
    cancelled_at: datetime | None


@dataclass(frozen=True)
class TicketHolder:
    """A ticket with its holder's contact details, as staff list them."""

    ticket_id: uuid.UUID
    status: str
    ticket_type: str
    price_cents: int
    currency: str
    created_at: datetime
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
    """The person's active ticket for the gathering, if any."""
    record = await conn.fetchrow(
        "SELECT * FROM tickets WHERE gathering_id = $1 AND person_id = $2 AND status = 'active'",
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
) -> Ticket:
    """A ticket at the ticket type's price (the price is copied: a later change does not alter
    what was sold)."""
    record = await conn.fetchrow(
        """INSERT INTO tickets (id, gathering_id, person_id, ticket_type, price_cents, currency,
                                breakout_id, idempotency_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *""",
        uuid.uuid4(),
        gathering_id,
        person_id,
        ticket_type.kind,
        ticket_type.price_cents,
        ticket_type.currency,
        breakout_id,
        idempotency_key,
    )
    return one(Ticket, record)


async def get_ticket(conn: Connection, ticket_id: uuid.UUID) -> Ticket | None:
    return maybe(Ticket, await conn.fetchrow("SELECT * FROM tickets WHERE id = $1", ticket_id))


async def lock_ticket(conn: Connection, ticket_id: uuid.UUID) -> Ticket | None:
    return maybe(Ticket, await conn.fetchrow("SELECT * FROM tickets WHERE id = $1 FOR UPDATE", ticket_id))


async def move_ticket(conn: Connection, ticket_id: uuid.UUID, breakout_id: uuid.UUID | None) -> Ticket:
    record = await conn.fetchrow(
        "UPDATE tickets SET breakout_id = $2 WHERE id = $1 RETURNING *", ticket_id, breakout_id
    )
    return one(Ticket, record)


async def cancel_ticket(conn: Connection, ticket_id: uuid.UUID) -> Ticket:
    record = await conn.fetchrow(
        "UPDATE tickets SET status = 'cancelled', cancelled_at = now() WHERE id = $1 RETURNING *",
        ticket_id,
    )
    return one(Ticket, record)


async def active_ticket_holders(conn: Connection, gathering_id: uuid.UUID) -> list[Person]:
    """The people holding an active ticket, for attendance."""
    records = await conn.fetch(
        "SELECT p.* FROM tickets t JOIN people p ON p.id = t.person_id "
        "WHERE t.gathering_id = $1 AND t.status = 'active'",
        gathering_id,
    )
    return many(Person, records)
