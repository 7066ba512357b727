"""Registration's rules, free of I/O: when a gathering sells a ticket."""

from __future__ import annotations

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


def normalise_email(email: str) -> str:
    """Emails identify people case-insensitively; store them trimmed and lower-cased."""
    return email.strip().lower()
