"""Registration's rules, free of I/O: when a gathering sells a ticket."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class GatheringStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class RegistrationRefused(Exception):
    """A purchase the rules do not allow; `code` is stable for API clients."""

    code = "refused"


class GatheringNotOpen(RegistrationRefused):
    code = "gathering_not_open"


class GatheringFull(RegistrationRefused):
    code = "gathering_full"


class AlreadyRegistered(RegistrationRefused):
    code = "already_registered"


def check_can_sell(status: GatheringStatus, seats_taken: int, capacity: int) -> None:
    """Raise why a ticket cannot be sold now, or return if it can."""
    if status is not GatheringStatus.OPEN:
        raise GatheringNotOpen(f"the gathering is {status.value}; tickets are sold only while open")
    if seats_taken >= capacity:
        raise GatheringFull(f"all {capacity} seats are taken")


class AlreadyWaiting(RegistrationRefused):
    code = "already_waitlisted"


class OfferNotOpen(RegistrationRefused):
    code = "offer_not_open"


class WaitlistStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


def check_can_accept(status: WaitlistStatus, expires_at: datetime | None, now: datetime) -> None:
    """An offer is accepted only while it is open and its hold has not run out."""
    if status is not WaitlistStatus.OFFERED:
        raise OfferNotOpen(f"this waitlist entry is {status.value}, not offered")
    if expires_at is None or expires_at <= now:
        raise OfferNotOpen("the hold on this seat has expired; it has passed to the next person")


def check_can_withdraw(status: WaitlistStatus) -> None:
    if status not in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
        raise OfferNotOpen(f"this waitlist entry is already {status.value}")


def normalise_email(email: str) -> str:
    """Emails identify people case-insensitively; store them trimmed and lower-cased."""
    return email.strip().lower()
