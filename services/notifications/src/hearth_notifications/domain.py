"""Notifications' rules, free of I/O: which category a message belongs to, who may opt out of it,
when reminders fire, and which SMTP failures are worth retrying."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class Category(StrEnum):
    """What a person can opt out of (or, for group activity, take as a daily digest)."""

    TICKETS = "tickets"
    WAITLIST = "waitlist"
    UPDATES = "updates"
    REMINDERS = "reminders"
    FEEDBACK = "feedback"
    CREDITS = "credits"
    GROUPS = "groups"


@dataclass(frozen=True)
class Kind:
    category: Category
    # Critical messages reach the person whatever they opted out of: their place, their hold,
    # a cancellation, a certificate.
    critical: bool = False
    # Group activity that may wait for the person's daily digest.
    digestible: bool = False


TEMPLATES: dict[str, Kind] = {
    "ticket_confirmation": Kind(Category.TICKETS, critical=True),
    "registration_cancelled": Kind(Category.TICKETS, critical=True),
    "waitlist_joined": Kind(Category.WAITLIST),
    "waitlist_offered": Kind(Category.WAITLIST, critical=True),
    "gathering_updated": Kind(Category.UPDATES),
    "gathering_cancelled": Kind(Category.UPDATES, critical=True),
    "reminder": Kind(Category.REMINDERS),
    "feedback_request": Kind(Category.FEEDBACK),
    "credits_awarded": Kind(Category.CREDITS),
    "certificate_issued": Kind(Category.CREDITS, critical=True),
    "group_formed": Kind(Category.GROUPS, digestible=True),
    "group_meeting_reminder": Kind(Category.GROUPS),
    "group_digest": Kind(Category.GROUPS),
}


class Disposition(StrEnum):
    """What happens to a rendered message for this person."""

    SEND = "pending"
    SUPPRESS = "suppressed"
    HOLD = "held"


def disposition(template: str, opted_out: frozenset[str], group_digest: bool) -> Disposition:
    kind = TEMPLATES[template]
    if kind.critical:
        return Disposition.SEND
    if kind.category in opted_out:
        return Disposition.SUPPRESS
    if kind.digestible and group_digest:
        return Disposition.HOLD
    return Disposition.SEND


@dataclass(frozen=True)
class Plan:
    """A send planned relative to a subject's start (negative offset: before) or end."""

    template: str
    offset_seconds: int
    fire_at: datetime


def gathering_plans(
    starts_at: datetime, ends_at: datetime, reminders: list[timedelta], feedback_after: timedelta
) -> list[Plan]:
    """Reminders a fixed elapsed time before the start (24 h before is 24 real hours, even across a
    change of clocks), and the feedback request after the end."""
    plans = [Plan("reminder", -int(r.total_seconds()), starts_at - r) for r in reminders]
    plans.append(Plan("feedback_request", int(feedback_after.total_seconds()), ends_at + feedback_after))
    return plans


def meeting_plans(starts_at: datetime, reminders: list[timedelta]) -> list[Plan]:
    return [Plan("group_meeting_reminder", -int(r.total_seconds()), starts_at - r) for r in reminders]


def is_permanent_smtp_failure(code: int | None) -> bool:
    """5xx replies (bad address, rejected) will not change on retry; 4xx and no reply might."""
    return code is not None and 500 <= code < 600


def retry_delay_seconds(attempts: int) -> float:
    """Growing delays between SMTP attempts: 2, 4, 8 … capped at 10 minutes."""
    return float(min(2**attempts, 600))


Clock = Callable[[], datetime]
"""Now, as the scheduler and the planners see it (tests move it across a change of clocks)."""


def system_clock() -> datetime:
    return datetime.now(UTC)
