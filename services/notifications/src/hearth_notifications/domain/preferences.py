"""What a person can opt out of, which messages reach them whatever they chose, and what happens
to an email for them: sent, suppressed (kept in the log with the reason) or held for the digest."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Preferences:
    """A person's choices: the categories they do not want, and group activity once a day."""

    opted_out: frozenset[str] = frozenset()
    group_digest: bool = False


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


def decide(template: str, chosen: Preferences) -> tuple[Disposition, str | None]:
    """The disposition of an email for a person with these preferences, and why it is not sent
    when it is suppressed (the delivery log shows the reason)."""
    how = disposition(template, chosen.opted_out, chosen.group_digest)
    why = f"opted out of {TEMPLATES[template].category}" if how is Disposition.SUPPRESS else None
    return how, why
