"""What a person asks for when buying a ticket, and what a purchase may not repeat."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from .eligibility import Attestation
from .errors import AlreadyRegistered, AlreadyWaiting, RegistrationRefused
from .pricing import TicketKind


@dataclass(frozen=True)
class TicketRequest:
    """A person asking for a ticket, as they told us."""

    email: str
    name: str
    language: str
    ticket_type: TicketKind
    attestation: Attestation
    breakout_id: uuid.UUID | None = None
    practice_area: str | None = None


def check_new_to_gathering(email: str, *, has_ticket: bool, is_waiting: bool) -> None:
    """One active ticket, or one open place in line, per person and gathering."""
    if has_ticket:
        raise AlreadyRegistered(f"{email} already has a ticket for this gathering", "email")
    if is_waiting:
        raise AlreadyWaiting(f"{email} is already on this gathering's waitlist", "email")


def check_replay(used_for: uuid.UUID, gathering_id: uuid.UUID) -> None:
    """A repeated Idempotency-Key replays its first outcome, for the same gathering only."""
    if used_for != gathering_id:
        raise RegistrationRefused("this Idempotency-Key was used for another gathering")
