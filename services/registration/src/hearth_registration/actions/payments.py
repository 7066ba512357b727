"""Paying for a held ticket: the payment system's PaymentReceived, or staff marking it paid.
Either confirms a ticket held awaiting payment and publishes TicketConfirmed (with the join link
its holder may now have); the same payment again changes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime

from hearth_shared.contracts.catalogue import PaymentReceived, TicketConfirmed
from hearth_shared.messaging import PermanentFailure, Work

from .. import domain, store
from ..events import person_details, snapshot
from ..store.tickets import Ticket


class PaymentNotApplied(PermanentFailure):
    """A PaymentReceived registration can never apply as it is: parked for staff with the reason
    (unknown_ticket, ticket_not_held, already_paid, amount_mismatch)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


async def confirm(
    work: Work,
    ticket_id: uuid.UUID,
    payment: domain.Payment,
    *,
    method: str,
    paid_at: datetime | None,
    recorded_by: uuid.UUID | None,
) -> Ticket:
    """Confirm the held ticket this payment pays (a repeat of the recorded payment returns the
    ticket unchanged); refused with the reason otherwise."""
    ticket = await store.tickets.lock_ticket(work.conn, ticket_id)
    if ticket is None:
        raise domain.NotFound(f"no ticket {ticket_id}")
    payable = domain.Payable(
        domain.TicketStatus(ticket.status), ticket.price_cents, ticket.currency, ticket.payment_reference
    )
    if domain.check_payment(payable, payment) == "repeat":
        return ticket
    confirmed = await store.tickets.confirm_ticket(
        work.conn,
        ticket_id,
        paid_cents=payment.amount_cents,
        method=method,
        reference=payment.reference,
        paid_at=paid_at,
        recorded_by=recorded_by,
    )
    gathering = await store.gatherings.known_gathering(work.conn, ticket.gathering_id)
    person = await store.people.get_person(work.conn, ticket.person_id)
    await work.publish(
        TicketConfirmed(
            ticket_id=ticket.id,
            person_id=person.id,
            gathering_id=gathering.id,
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            method=method,
            gathering=snapshot(gathering),
            attendee=person_details(person),
        )
    )
    return confirmed


async def mark_paid(
    work: Work, ticket_id: uuid.UUID, method: domain.PaymentMethod, reference: str | None, staff_id: uuid.UUID
) -> Ticket:
    """Staff were paid outside the payment system (e-transfer, invoice, at the door, card):
    the ticket's price is recorded as paid, with who recorded it."""
    ticket = await store.tickets.get_ticket(work.conn, ticket_id)
    if ticket is None:
        raise domain.NotFound(f"no ticket {ticket_id}")
    payment = domain.Payment(ticket.price_cents, ticket.currency, reference)
    return await confirm(work, ticket_id, payment, method=method.value, paid_at=None, recorded_by=staff_id)


async def record_received(work: Work, received: PaymentReceived) -> None:
    """The payment system's word that a ticket was paid; one that cannot apply is parked."""
    payment = domain.Payment(received.amount_cents, received.currency, received.reference)
    try:
        await confirm(
            work,
            received.ticket_id,
            payment,
            method=domain.PAYMENT_SYSTEM,
            paid_at=received.paid_at,
            recorded_by=None,
        )
    except domain.NotFound:
        raise PaymentNotApplied("unknown_ticket", f"no ticket {received.ticket_id}") from None
    except domain.PaymentNotApplicable as refused:
        raise PaymentNotApplied(refused.code, f"ticket {received.ticket_id}: {refused}") from None
