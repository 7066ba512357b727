"""Ticket types and their prices: which one a gathering offers for a request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .errors import TicketTypeNotOffered


class TicketKind(StrEnum):
    MEMBER = "member"
    NON_MEMBER = "non_member"
    STUDENT = "student"
    FREE = "free"


@dataclass(frozen=True)
class TicketType:
    """A gathering's price for one kind of ticket (a ticket copies it when sold: a later change
    does not alter what was sold)."""

    kind: str
    price_cents: int
    currency: str


def offered(kind: TicketKind, ticket_types: Sequence[TicketType]) -> TicketType:
    """The gathering's ticket type of this kind, or a refusal naming the kinds it does offer."""
    for ticket_type in ticket_types:
        if ticket_type.kind == kind:
            return ticket_type
    kinds = ", ".join(t.kind for t in ticket_types) or "none"
    raise TicketTypeNotOffered(
        f"this gathering does not offer {kind.value} tickets (it offers: {kinds})", "ticket_type"
    )
