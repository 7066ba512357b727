"""The line for a full gathering: who may accept an offered seat, who may leave the line."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from hearth_shared.contracts.catalogue import GatheringStatus

from .errors import GatheringIsCancelled, LineClosed, OfferNotOpen


class WaitlistStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"  # the gathering was cancelled or began while the entry was open


def line_closed(status: GatheringStatus, starts_at: datetime, now: datetime) -> LineClosed | None:
    """Why a gathering's line is closed (cancelled, or begun: no seat is offered or taken from it
    any more), or None while it is open."""
    if status is GatheringStatus.CANCELLED:
        return GatheringIsCancelled("this gathering is cancelled; its waitlist is closed")
    if starts_at <= now:
        return LineClosed("this gathering has begun; its waitlist is closed")
    return None


def check_can_accept(status: WaitlistStatus, expires_at: datetime | None, now: datetime) -> None:
    """An offer is accepted only while it is open and its hold has not run out."""
    if status is not WaitlistStatus.OFFERED:
        raise OfferNotOpen(f"this waitlist entry is {status.value}, not offered")
    if expires_at is None or expires_at <= now:
        raise OfferNotOpen("the hold on this seat has expired; it has passed to the next person")


def check_can_withdraw(status: WaitlistStatus, *, only_offered: bool = False) -> None:
    """One may leave the line while in it; decline (`only_offered`) only a seat offered now."""
    if only_offered and status is not WaitlistStatus.OFFERED:
        raise OfferNotOpen(f"this waitlist entry is {status.value}, not offered")
    if status not in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
        raise OfferNotOpen(f"this waitlist entry is already {status.value}")


def holds_a_seat(status: WaitlistStatus) -> bool:
    """An offered entry holds a seat (counted as taken) that passes on when the entry settles."""
    return status is WaitlistStatus.OFFERED
