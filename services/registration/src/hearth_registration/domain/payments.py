"""Paid tickets: a ticket with a price is held awaiting payment, and which payment confirms it.

A payment names a ticket; it confirms one held awaiting payment when it pays the ticket's price in
its currency. The same reference again is a repeat and changes nothing; anything else (a hold that
lapsed or was cancelled, a second payment under another reference, another amount) is refused with
a reason staff can act on (refund, reinstate, ask the payer).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from .errors import AlreadyPaid, AmountMismatch, TicketNotHeld
from .pricing import TicketType


class TicketStatus(StrEnum):
    ACTIVE = "active"  # confirmed: the seat is the holder's
    AWAITING_PAYMENT = "awaiting_payment"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # an unpaid hold ran out


# A ticket that still holds its seat (counted in seats_taken): paid, or held awaiting payment.
HOLDING = frozenset({TicketStatus.ACTIVE, TicketStatus.AWAITING_PAYMENT})


class PaymentMethod(StrEnum):
    """How staff were paid when they mark a ticket paid (the payment system is `payment_system`)."""

    E_TRANSFER = "e_transfer"
    INVOICE = "invoice"
    AT_DOOR = "at_door"
    CARD = "card"


PAYMENT_SYSTEM = "payment_system"


def needs_payment(ticket_type: TicketType) -> bool:
    """A ticket with a price is held awaiting payment; a free one is confirmed at once."""
    return ticket_type.price_cents > 0


@dataclass(frozen=True)
class Payment:
    amount_cents: int
    currency: str
    reference: str | None


@dataclass(frozen=True)
class Payable:
    """What of a ticket decides whether a payment applies to it."""

    status: TicketStatus
    price_cents: int
    currency: str
    paid_reference: str | None


def check_payment(ticket: Payable, payment: Payment) -> Literal["confirm", "repeat"]:
    """`confirm` a held ticket this payment pays; `repeat` when it is the payment already
    recorded; refused otherwise, saying why."""
    if ticket.status is TicketStatus.ACTIVE:
        if payment.reference is not None and payment.reference == ticket.paid_reference:
            return "repeat"
        raise AlreadyPaid("this ticket is confirmed already; a second payment needs a refund")
    if ticket.status is not TicketStatus.AWAITING_PAYMENT:
        raise TicketNotHeld(
            f"this ticket is {ticket.status.value}, no longer held for payment; refund or reinstate it"
        )
    if (payment.amount_cents, payment.currency) != (ticket.price_cents, ticket.currency):
        raise AmountMismatch(
            f"paid {payment.amount_cents} {payment.currency}, the ticket costs "
            f"{ticket.price_cents} {ticket.currency}"
        )
    return "confirm"
