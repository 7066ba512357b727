"""Who has a seat: buying, waiting, cancelling, offering a freed seat, accepting, expiring.

Each function is one transaction (the caller's) that changes the seats and writes its events to
the outbox. Seat decisions for one gathering are serialised on its row: a purchase that finds
the gathering full locks it before joining the line, and every freed seat is handed on under the
same lock, so a seat is never sold twice, never left empty while someone waits.
The HTTP API and the offer-expiry worker both come here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import asyncpg
import structlog

from hearth_shared.contracts import EventData
from hearth_shared.contracts.catalogue import (
    Attendee,
    Bilingual,
    GatheringSnapshot,
    GatheringStatus,
    RegistrationCancelled,
    TicketPurchased,
    WaitlistJoined,
    WaitlistOffered,
)
from hearth_shared.db import Connection
from hearth_shared.messaging import Work
from hearth_shared.worker import ClaimLoop

from . import domain, store

SOURCE = "/hearth/registration"
log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Purchase:
    outcome: Literal["ticket", "waitlisted"]
    row: asyncpg.Record  # the ticket, or the waitlist entry
    created: bool  # False when an Idempotency-Key replayed an earlier purchase
    position: int | None = None


class NotFound(Exception):
    pass


def snapshot(gathering: asyncpg.Record) -> GatheringSnapshot:
    return GatheringSnapshot(
        gathering_id=gathering["id"],
        title=Bilingual(en=gathering["title_en"], fr=gathering["title_fr"]),
        modality=gathering["modality"],
        starts_at=gathering["starts_at"],
        ends_at=gathering["ends_at"],
        time_zone=gathering["time_zone"],
        venue=gathering["venue"],
        join_url=gathering["join_url"],
    )


def attendee(person: asyncpg.Record) -> Attendee:
    return Attendee(
        person_id=person["id"],
        name=person["name"],
        email=person["email"],
        language=person["preferred_language"],
    )


async def publish(conn: Connection, data: EventData, correlation_id: str) -> None:
    await emitter(conn, correlation_id).publish(data)


def emitter(conn: Connection, correlation_id: str) -> Work:
    return Work(conn=conn, source=SOURCE, correlation_id=correlation_id)


@dataclass(frozen=True)
class Registrant:
    """Who is buying, as they told us."""

    email: str
    name: str
    language: str
    ticket_type: domain.TicketKind
    attestation: domain.Attestation
    breakout_id: uuid.UUID | None = None
    practice_area: str | None = None


async def buy(
    conn: Connection, gathering_id: uuid.UUID, who: Registrant, *, key: str | None, correlation_id: str
) -> Purchase:
    """A ticket if a seat is free, else a place in line; a repeated key returns the first outcome."""
    if key:
        if existing := await store.seats.ticket_by_key(conn, key):
            _same_gathering(existing, gathering_id)
            return Purchase("ticket", existing, created=False)
        if waiting := await store.seats.waitlist_by_key(conn, key):
            _same_gathering(waiting, gathering_id)
            return Purchase("waitlisted", waiting, created=False)
    ticket_type = await _offered_ticket_type(conn, gathering_id, who.ticket_type)
    person = await store.people.upsert_person(
        conn,
        email=domain.normalise_email(who.email),
        name=who.name,
        language=who.language,
        profession=who.attestation.profession,
        regulatory_body=who.attestation.regulatory_body,
        region=who.attestation.region,
    )
    domain.check_eligible(who.ticket_type, person["membership_status"], who.attestation)
    if await store.seats.ticket_for(conn, gathering_id, person["id"]):
        raise domain.AlreadyRegistered(f"{who.email} already has a ticket for this gathering", "email")
    if await store.seats.open_waitlist_entry(conn, gathering_id, person["id"]):
        raise domain.AlreadyWaiting(f"{who.email} is already on this gathering's waitlist", "email")
    gathering = await store.gatherings.take_seat(conn, gathering_id)
    if gathering is None:
        gathering = await store.gatherings.lock_gathering(conn, gathering_id)
        assert gathering is not None
        # Under the lock, look again: a seat may have been freed and released meanwhile.
        if (seat := await store.gatherings.take_seat(conn, gathering_id)) is None:
            return await _join_line(conn, gathering, person, who, key, correlation_id)
        gathering = seat
    breakout_id = await _assign_breakout(conn, gathering_id, person, who.breakout_id, who.practice_area)
    ticket = await store.seats.insert_ticket(
        conn,
        gathering_id=gathering_id,
        person_id=person["id"],
        ticket_type=ticket_type,
        breakout_id=breakout_id,
        idempotency_key=key,
    )
    await _ticket_purchased(conn, ticket, gathering, person, correlation_id)
    return Purchase("ticket", ticket, created=True)


async def _offered_ticket_type(
    conn: Connection, gathering_id: uuid.UUID, kind: domain.TicketKind
) -> asyncpg.Record:
    if ticket_type := await store.gatherings.ticket_type(conn, gathering_id, kind.value):
        return ticket_type
    if await store.gatherings.get_gathering(conn, gathering_id) is None:
        raise NotFound(f"no gathering {gathering_id}")
    offered = [t["kind"] for t in await store.gatherings.ticket_types(conn, gathering_id)]
    raise domain.TicketTypeNotOffered(
        f"this gathering does not offer {kind.value} tickets (it offers: {', '.join(offered) or 'none'})",
        "ticket_type",
    )


async def _assign_breakout(
    conn: Connection,
    gathering_id: uuid.UUID,
    person: asyncpg.Record,
    chosen: uuid.UUID | None,
    practice_area: str | None,
) -> uuid.UUID | None:
    """The breakout the person chose, or the best free one for them (language first); none when
    the gathering has no breakouts or all are full (staff can move people later)."""
    rows = await store.gatherings.breakouts(conn, gathering_id)
    if chosen is not None:
        if chosen not in {r["id"] for r in rows}:
            raise domain.UnknownBreakout(f"this gathering has no breakout {chosen}", "breakout_id")
        if await store.gatherings.take_breakout_seat(conn, chosen, gathering_id) is None:
            raise domain.BreakoutFull(
                "that breakout is full; choose another or leave it to us", "breakout_id"
            )
        return chosen
    rooms = [
        domain.BreakoutRoom(r["id"], r["language"], r["practice_area"], r["capacity"] - r["seats_taken"])
        for r in rows
    ]
    for room in domain.breakout_preference(rooms, person["preferred_language"], practice_area):
        if await store.gatherings.take_breakout_seat(conn, room.id, gathering_id):  # type: ignore[arg-type]
            return room.id  # type: ignore[return-value]
    return None


async def _join_line(
    conn: Connection,
    gathering: asyncpg.Record,
    person: asyncpg.Record,
    who: Registrant,
    key: str | None,
    correlation_id: str,
) -> Purchase:
    status = GatheringStatus(gathering["status"])
    if status is not GatheringStatus.OPEN:
        raise domain.GatheringNotOpen(f"the gathering is {status.value}; tickets are sold only while open")
    entry, position = await store.seats.join_waitlist(
        conn,
        gathering_id=gathering["id"],
        person_id=person["id"],
        ticket_type=who.ticket_type.value,
        practice_area=who.practice_area,
        idempotency_key=key,
    )
    await publish(
        conn,
        WaitlistJoined(
            entry_id=entry["id"], position=position, gathering=snapshot(gathering), attendee=attendee(person)
        ),
        correlation_id,
    )
    return Purchase("waitlisted", entry, created=True, position=position)


async def _ticket_purchased(
    conn: Connection,
    ticket: asyncpg.Record,
    gathering: asyncpg.Record,
    person: asyncpg.Record,
    correlation_id: str,
) -> None:
    await publish(
        conn,
        TicketPurchased(
            ticket_id=ticket["id"],
            ticket_type=ticket["ticket_type"],
            price_cents=ticket["price_cents"],
            currency=ticket["currency"],
            gathering=snapshot(gathering),
            attendee=attendee(person),
        ),
        correlation_id,
    )


def _same_gathering(row: asyncpg.Record, gathering_id: uuid.UUID) -> None:
    if row["gathering_id"] != gathering_id:
        raise domain.RegistrationRefused("this Idempotency-Key was used for another gathering")


async def _lock_active_ticket(conn: Connection, ticket_id: uuid.UUID) -> asyncpg.Record:
    ticket = await store.seats.lock_ticket(conn, ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}")
    if ticket["status"] != "active":
        raise domain.RegistrationRefused("this ticket is cancelled")
    return ticket


async def cancel(
    conn: Connection, ticket_id: uuid.UUID, *, hold_seconds: float, correlation_id: str
) -> asyncpg.Record:
    """Cancel a ticket; its seat goes to the next person in line, or back on sale."""
    ticket = await _lock_active_ticket(conn, ticket_id)
    gathering = await store.gatherings.lock_gathering(conn, ticket["gathering_id"])
    assert gathering is not None
    cancelled = await store.seats.cancel_ticket(conn, ticket_id)
    if ticket["breakout_id"]:
        await store.gatherings.release_breakout_seat(conn, ticket["breakout_id"])
    person = await store.people.get_person(conn, ticket["person_id"])
    await publish(
        conn,
        RegistrationCancelled(ticket_id=ticket_id, gathering=snapshot(gathering), attendee=attendee(person)),
        correlation_id,
    )
    await _hand_on_seat(conn, gathering, hold_seconds, correlation_id)
    return cancelled


async def _hand_on_seat(
    conn: Connection, gathering: asyncpg.Record, hold_seconds: float, correlation_id: str
) -> None:
    """Offer a freed seat (still counted as taken) to the next in line, or release it.
    The caller holds the gathering's lock."""
    entry = await store.seats.next_waiting(conn, gathering["id"])
    if entry is None:
        await store.gatherings.release_seat(conn, gathering["id"])
        return
    offered = await store.seats.offer(conn, entry["id"], hold_seconds)
    person = await store.people.get_person(conn, entry["person_id"])
    await publish(
        conn,
        WaitlistOffered(
            entry_id=offered["id"],
            expires_at=offered["offer_expires_at"],
            gathering=snapshot(gathering),
            attendee=attendee(person),
        ),
        correlation_id,
    )


async def offer_free_seats(
    conn: Connection, gathering: asyncpg.Record, hold_seconds: float, correlation_id: str
) -> None:
    """Offer seats that became free (capacity raised, sales reopened) to those waiting.
    The caller holds the gathering's lock."""
    while await store.seats.next_waiting(conn, gathering["id"]) is not None:
        if await store.gatherings.take_seat(conn, gathering["id"]) is None:
            return
        await _hand_on_seat(conn, gathering, hold_seconds, correlation_id)


async def move_to_breakout(
    conn: Connection, ticket_id: uuid.UUID, breakout_id: uuid.UUID | None
) -> asyncpg.Record:
    """Staff move a ticket holder to another breakout (or out of any), seat counts kept right."""
    ticket = await _lock_active_ticket(conn, ticket_id)
    if ticket["breakout_id"] == breakout_id:
        return ticket
    gathering_id = ticket["gathering_id"]
    if breakout_id and not await store.gatherings.take_breakout_seat(conn, breakout_id, gathering_id):
        if breakout_id not in {r["id"] for r in await store.gatherings.breakouts(conn, gathering_id)}:
            raise domain.UnknownBreakout(f"this gathering has no breakout {breakout_id}", "breakout_id")
        raise domain.BreakoutFull("that breakout is full", "breakout_id")
    if ticket["breakout_id"]:
        await store.gatherings.release_breakout_seat(conn, ticket["breakout_id"])
    return await store.seats.move_ticket(conn, ticket_id, breakout_id)


async def accept(conn: Connection, entry_id: uuid.UUID, *, correlation_id: str) -> asyncpg.Record:
    """Turn an open offer into a ticket (the seat was held for it)."""
    entry = await store.seats.lock_waitlist_entry(conn, entry_id)
    if entry is None:
        raise NotFound(f"no waitlist entry {entry_id}")
    domain.check_can_accept(
        domain.WaitlistStatus(entry["status"]), entry["offer_expires_at"], datetime.now(UTC)
    )
    person = await store.people.get_person(conn, entry["person_id"])
    ticket_type = await _offered_ticket_type(
        conn, entry["gathering_id"], domain.TicketKind(entry["ticket_type"])
    )
    breakout_id = await _assign_breakout(conn, entry["gathering_id"], person, None, entry["practice_area"])
    ticket = await store.seats.insert_ticket(
        conn,
        gathering_id=entry["gathering_id"],
        person_id=entry["person_id"],
        ticket_type=ticket_type,
        breakout_id=breakout_id,
        idempotency_key=None,
    )
    await store.seats.settle_waitlist_entry(conn, entry_id, "accepted", ticket["id"])
    gathering = await store.gatherings.get_gathering(conn, entry["gathering_id"])
    assert gathering is not None
    await _ticket_purchased(conn, ticket, gathering, person, correlation_id)
    return ticket


async def withdraw(
    conn: Connection, entry_id: uuid.UUID, *, hold_seconds: float, correlation_id: str
) -> asyncpg.Record:
    """Leave the line; an offered seat passes to the next person."""
    entry = await store.seats.lock_waitlist_entry(conn, entry_id)
    if entry is None:
        raise NotFound(f"no waitlist entry {entry_id}")
    domain.check_can_withdraw(domain.WaitlistStatus(entry["status"]))
    gathering = await store.gatherings.lock_gathering(conn, entry["gathering_id"])
    assert gathering is not None
    settled = await store.seats.settle_waitlist_entry(conn, entry_id, "withdrawn")
    if entry["status"] == "offered":
        await _hand_on_seat(conn, gathering, hold_seconds, correlation_id)
    return settled


class OfferExpiry(ClaimLoop):
    """Expires offers whose hold has run out and hands each seat on; any replica may run it."""

    flush_timeout = 0.0

    def __init__(self, pool: asyncpg.Pool, *, hold_seconds: float, poll_seconds: float = 1.0) -> None:
        super().__init__(
            pool, channel="registration_offers", batch_size=50, poll_seconds=poll_seconds, what="offer expiry"
        )
        self._hold = hold_seconds

    async def step(self) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            expired = await store.seats.claim_expired_offers(conn, 50)
            for entry in expired:
                await store.seats.settle_waitlist_entry(conn, entry["id"], "expired")
                gathering = await store.gatherings.lock_gathering(conn, entry["gathering_id"])
                assert gathering is not None
                correlation_id = str(uuid.uuid4())
                log.info("offer expired", entry_id=str(entry["id"]), correlation_id=correlation_id)
                await _hand_on_seat(conn, gathering, self._hold, correlation_id)
        return len(expired)
