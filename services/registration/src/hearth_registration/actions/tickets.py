"""Tickets: buying one (or joining the line when the gathering is full; a priced one is held
awaiting payment), cancelling, an unpaid hold running out, accepting a seat offered from the line,
moving between breakouts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from hearth_shared.contracts.catalogue import GatheringStatus, RegistrationCancelled, TicketPurchased
from hearth_shared.messaging import Work, begin

from .. import domain, store
from ..events import SERVICE, person_details, snapshot
from ..store.gatherings import Gathering
from ..store.people import Person
from ..store.tickets import Ticket
from ..store.waitlist import WaitlistEntry
from . import waitlist


@dataclass(frozen=True)
class Purchase:
    outcome: domain.PurchaseOutcome
    row: Ticket | WaitlistEntry
    created: bool  # False when an Idempotency-Key replayed an earlier purchase
    position: int | None = None


async def purchase(
    pool: asyncpg.Pool,
    gathering_id: uuid.UUID,
    asked: domain.TicketRequest,
    *,
    key: str | None,
    hold_minutes: float,
    correlation_id: str | None = None,
) -> Purchase:
    """`buy` in a transaction of its own, run once more when a concurrent request registered the
    same key or person meanwhile (the second run finds them; a third is refused)."""
    collided = False
    while True:
        try:
            async with begin(pool, SERVICE, correlation_id) as work:
                return await buy(work, gathering_id, asked, key=key, hold_minutes=hold_minutes)
        except asyncpg.UniqueViolationError:
            if collided:
                raise domain.AlreadyRegistered("a concurrent request registered this person") from None
            collided = True


async def buy(
    work: Work, gathering_id: uuid.UUID, asked: domain.TicketRequest, *, key: str | None, hold_minutes: float
) -> Purchase:
    """A ticket if a seat is free (held `hold_minutes` awaiting payment when it has a price), else
    a place in line; a repeated key returns the first outcome. Two statements find the gathering
    and the buyer with everything checked before the seat is taken."""
    offer = await store.gatherings.offer(work.conn, gathering_id)
    if offer is None:
        raise domain.NotFound(f"no gathering {gathering_id}")
    registrant = await store.people.upsert_registrant(
        work.conn,
        gathering_id,
        key,
        email=domain.normalise_email(asked.email),
        name=asked.name,
        language=asked.language,
        profession=asked.attestation.profession,
        regulatory_body=asked.attestation.regulatory_body,
        region=asked.attestation.region,
    )
    if key and registrant.key_used and (replayed := await _replayed(work, gathering_id, key)):
        return replayed
    ticket_type = domain.offered(asked.ticket_type, offer.ticket_types)
    person = registrant.person
    domain.check_eligible(asked.ticket_type, person.membership_status, asked.attestation)
    domain.check_new_to_gathering(
        asked.email, has_ticket=registrant.has_ticket, is_waiting=registrant.is_waiting
    )
    gathering, outcome = await _take_seat(work, gathering_id)
    if outcome == "waitlisted":
        entry, position = await waitlist.join(work, gathering, person, asked, key)
        return Purchase("waitlisted", entry, created=True, position=position)
    placing = Placing(asked.breakout_id, asked.practice_area, offer.has_breakouts or bool(asked.breakout_id))
    ticket = await _issue(work, gathering, person, ticket_type, placing, key=key, hold_minutes=hold_minutes)
    return Purchase("ticket", ticket, created=True)


async def _take_seat(work: Work, gathering_id: uuid.UUID) -> tuple[Gathering, domain.PurchaseOutcome]:
    """Take a free seat in one statement when there is one; else decide under the gathering's
    lock (a seat may have been freed and released meanwhile), where joining the line is safe.

    Taken before the ticket is written, not last: with the seat taken last, 300 purchases/s
    offered made the purchase to email p99 13.9 s instead of 0.9 s (docs/benchmarks.md; likely
    each ticket's foreign key share-locking the row the other purchases were updating)."""
    if taken := await store.gatherings.take_seat(work.conn, gathering_id):
        return taken, "ticket"
    gathering = await store.gatherings.lock_gathering(work.conn, gathering_id)
    assert gathering is not None  # it was read above, and gatherings are never deleted
    outcome = _seat_or_line(gathering)
    if outcome == "ticket":
        gathering = await store.gatherings.take_seat(work.conn, gathering_id)
        assert gathering is not None  # under the lock, the free seat is still free
    return gathering, outcome


def _seat_or_line(gathering: Gathering) -> domain.PurchaseOutcome:
    return domain.seat_or_line(GatheringStatus(gathering.status), gathering.capacity, gathering.seats_taken)


@dataclass(frozen=True)
class Placing:
    """How a new ticket finds its breakout: the one chosen (or None: the best free one for the
    person), the practice area they asked for, and whether to look at all (a gathering with no
    breakouts, where nobody chose one, is not asked)."""

    chosen: uuid.UUID | None
    practice_area: str | None
    look: bool = True


async def _issue(
    work: Work,
    gathering: Gathering,
    person: Person,
    ticket_type: domain.TicketType,
    placing: Placing,
    *,
    key: str | None,
    hold_minutes: float,
) -> Ticket:
    """The ticket, its breakout seat and TicketPurchased: everything but the gathering's seat."""
    breakout_id = None
    if placing.look:
        breakout_id = await _assign_breakout(
            work, gathering.id, person, placing.chosen, placing.practice_area
        )
    ticket = await store.tickets.insert_ticket(
        work.conn,
        gathering_id=gathering.id,
        person_id=person.id,
        ticket_type=ticket_type,
        breakout_id=breakout_id,
        idempotency_key=key,
        hold_minutes=hold_minutes if domain.needs_payment(ticket_type) else None,
    )
    await _ticket_purchased(work, ticket, gathering, person)
    return ticket


async def _replayed(work: Work, gathering_id: uuid.UUID, key: str) -> Purchase | None:
    """The first outcome of a request with this Idempotency-Key, if there was one."""
    if existing := await store.tickets.ticket_by_key(work.conn, key):
        domain.check_replay(existing.gathering_id, gathering_id)
        return Purchase("ticket", existing, created=False)
    if waiting := await store.waitlist.waitlist_by_key(work.conn, key):
        domain.check_replay(waiting.gathering_id, gathering_id)
        return Purchase("waitlisted", waiting, created=False)
    return None


async def _assign_breakout(
    work: Work, gathering_id: uuid.UUID, person: Person, chosen: uuid.UUID | None, practice_area: str | None
) -> uuid.UUID | None:
    """The breakout the person chose, or the best free one for them (language first); none when
    the gathering has no breakouts or all are full (staff can move people later)."""
    rows = await store.breakouts.breakouts(work.conn, gathering_id)
    if chosen is not None:
        if chosen not in {r.id for r in rows}:
            raise domain.UnknownBreakout(f"this gathering has no breakout {chosen}", "breakout_id")
        if not await store.breakouts.take_breakout_seat(work.conn, chosen, gathering_id):
            raise domain.BreakoutFull(
                "that breakout is full; choose another or leave it to us", "breakout_id"
            )
        return chosen
    choices = [r.as_choice() for r in rows]
    for breakout in domain.breakout_preference(choices, person.preferred_language, practice_area):
        if await store.breakouts.take_breakout_seat(work.conn, breakout.id, gathering_id):
            return breakout.id
    return None


async def _ticket_purchased(work: Work, ticket: Ticket, gathering: Gathering, person: Person) -> None:
    held = ticket.status == domain.TicketStatus.AWAITING_PAYMENT
    await work.publish(
        TicketPurchased(
            ticket_id=ticket.id,
            ticket_type=ticket.ticket_type,
            price_cents=ticket.price_cents,
            currency=ticket.currency,
            gathering=snapshot(gathering, join_link=not held),
            attendee=person_details(person),
            status="awaiting_payment" if held else "confirmed",
            hold_expires_at=ticket.hold_expires_at,
        )
    )


async def _lock_holding_ticket(work: Work, ticket_id: uuid.UUID) -> Ticket:
    """The ticket, locked, while it holds a seat (paid, or held awaiting payment)."""
    ticket = await store.tickets.lock_ticket(work.conn, ticket_id)
    if ticket is None:
        raise domain.NotFound(f"no ticket {ticket_id}")
    if ticket.status not in domain.HOLDING:
        raise domain.RegistrationRefused(f"this ticket is {ticket.status}")
    return ticket


async def cancel(work: Work, ticket_id: uuid.UUID, *, hold_seconds: float, by: uuid.UUID | None) -> Ticket:
    """Cancel a ticket (paid or held); its seat goes to the next person in line, or back on sale.
    `by`: the staff member cancelling it (None: its holder)."""
    ticket = await _lock_holding_ticket(work, ticket_id)
    return await _give_up_seat(work, ticket, hold_seconds=hold_seconds, reason=None, by=by)


async def expire_hold(work: Work, ticket: Ticket, *, hold_seconds: float) -> Ticket:
    """An unpaid hold that ran out (claimed, so locked, by the caller): the ticket expires and
    its seat goes to the next person in line, or back on sale."""
    return await _give_up_seat(work, ticket, hold_seconds=hold_seconds, reason="hold_expired", by=None)


async def _give_up_seat(
    work: Work, ticket: Ticket, *, hold_seconds: float, reason: str | None, by: uuid.UUID | None
) -> Ticket:
    gathering = await store.gatherings.lock_gathering(work.conn, ticket.gathering_id)
    assert gathering is not None
    if reason == "hold_expired":
        ended = await store.tickets.expire_ticket(work.conn, ticket.id)
    else:
        ended = await store.tickets.cancel_ticket(work.conn, ticket.id, by)
    if ticket.breakout_id:
        await store.breakouts.release_breakout_seat(work.conn, ticket.breakout_id)
    person = await store.people.get_person(work.conn, ticket.person_id)
    await work.publish(
        RegistrationCancelled(
            ticket_id=ticket.id,
            gathering=snapshot(gathering, join_link=ticket.status == domain.TicketStatus.ACTIVE),
            attendee=person_details(person),
            reason=reason,
        )
    )
    await waitlist.hand_on_seat(work, gathering, hold_seconds)
    return ended


async def move_to_breakout(
    work: Work, ticket_id: uuid.UUID, breakout_id: uuid.UUID | None, *, by: uuid.UUID | None
) -> Ticket:
    """Staff (`by`), or the holder through their link (`by` None), move a ticket to another
    breakout (or out of any), seat counts kept right."""
    ticket = await _lock_holding_ticket(work, ticket_id)
    if ticket.breakout_id == breakout_id:
        return ticket
    gathering_id = ticket.gathering_id
    if breakout_id and not await store.breakouts.take_breakout_seat(work.conn, breakout_id, gathering_id):
        if breakout_id not in {r.id for r in await store.breakouts.breakouts(work.conn, gathering_id)}:
            raise domain.UnknownBreakout(f"this gathering has no breakout {breakout_id}", "breakout_id")
        raise domain.BreakoutFull("that breakout is full", "breakout_id")
    if ticket.breakout_id:
        await store.breakouts.release_breakout_seat(work.conn, ticket.breakout_id)
    return await store.tickets.move_ticket(work.conn, ticket_id, breakout_id, by)


async def accept_offer(work: Work, entry_id: uuid.UUID, *, hold_minutes: float) -> Ticket:
    """Turn an open waitlist offer into a ticket (the seat was held for it); a priced one is then
    held `hold_minutes` awaiting payment, like any bought ticket."""
    entry = await store.waitlist.lock_waitlist_entry(work.conn, entry_id)
    if entry is None:
        raise domain.NotFound(f"no waitlist entry {entry_id}")
    gathering = await store.gatherings.known_gathering(work.conn, entry.gathering_id)
    now = datetime.now(UTC)
    if closed := domain.line_closed(GatheringStatus(gathering.status), gathering.starts_at, now):
        raise closed
    domain.check_can_accept(domain.WaitlistStatus(entry.status), entry.offer_expires_at, now)
    person = await store.people.get_person(work.conn, entry.person_id)
    ticket_types = await store.gatherings.ticket_types(work.conn, entry.gathering_id)
    ticket_type = domain.offered(domain.TicketKind(entry.ticket_type), ticket_types)
    ticket = await _issue(
        work,
        gathering,
        person,
        ticket_type,
        Placing(None, entry.practice_area),
        key=None,
        hold_minutes=hold_minutes,
    )
    await store.waitlist.settle_waitlist_entry(
        work.conn, entry_id, domain.WaitlistStatus.ACCEPTED.value, ticket.id
    )
    return ticket
