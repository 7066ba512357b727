"""What a person can opt out of, which messages reach them whatever they chose, and what happens
to an email for them: sent, suppressed (kept in the log with the reason) or held for the digest."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hearth_shared.contracts.catalogue import Language


class Category(StrEnum):
    """What an email is about. A person can opt out of the first four (OPTIONAL); the others
    are about their place, their hold, their payment or their certificate and always come."""

    REMINDERS = "reminders"
    FEEDBACK = "feedback"
    GROUPS = "groups"
    NEWS = "news"
    TICKETS = "tickets"
    OFFERS = "offers"
    PAYMENT = "payment"
    CERTIFICATES = "certificates"


OPTIONAL = (Category.REMINDERS, Category.FEEDBACK, Category.GROUPS, Category.NEWS)


class Digest(StrEnum):
    """Group activity at once (none), or gathered in one email a day or a week."""

    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"


@dataclass(frozen=True)
class Kind:
    category: Category
    # Group activity that may wait for the person's digest.
    digestible: bool = False

    @property
    def critical(self) -> bool:
        """Critical messages reach the person whatever they opted out of, and carry no
        List-Unsubscribe: their place (and its changes), their hold, a payment, a certificate."""
        return self.category not in OPTIONAL


TEMPLATES: dict[str, Kind] = {
    "ticket_confirmation": Kind(Category.TICKETS),
    "ticket_held": Kind(Category.PAYMENT),
    "ticket_paid": Kind(Category.PAYMENT),
    "hold_expired": Kind(Category.PAYMENT),
    "registration_cancelled": Kind(Category.TICKETS),
    "waitlist_joined": Kind(Category.TICKETS),
    "waitlist_offered": Kind(Category.OFFERS),
    "gathering_updated": Kind(Category.TICKETS),
    "gathering_cancelled": Kind(Category.TICKETS),
    "reminder": Kind(Category.REMINDERS),
    "feedback_request": Kind(Category.FEEDBACK),
    "credits_awarded": Kind(Category.NEWS),
    "certificate_issued": Kind(Category.CERTIFICATES),
    "group_formed": Kind(Category.GROUPS, digestible=True),
    "group_meeting_reminder": Kind(Category.GROUPS),
    "group_digest": Kind(Category.GROUPS),
}


@dataclass(frozen=True)
class Preferences:
    """A person's choices: the categories they do not want, group activity gathered in a digest,
    and the language they want emails in (None: the one events give)."""

    opted_out: frozenset[str] = frozenset()
    digest: Digest = Digest.NONE
    language: Language | None = None

    def without(self, category: Category) -> Preferences:
        """The same choices, opted out of one more category (a one-click unsubscribe)."""
        return Preferences(self.opted_out | {str(category)}, self.digest, self.language)


class Disposition(StrEnum):
    """What happens to a rendered message for this person."""

    SEND = "pending"
    SUPPRESS = "suppressed"
    HOLD = "held"


def disposition(template: str, opted_out: frozenset[str], digest: Digest | bool) -> Disposition:
    kind = TEMPLATES[template]
    if kind.critical:
        return Disposition.SEND
    if kind.category in opted_out:
        return Disposition.SUPPRESS
    if kind.digestible and digest not in (Digest.NONE, False):
        return Disposition.HOLD
    return Disposition.SEND


def decide(template: str, chosen: Preferences) -> tuple[Disposition, str | None]:
    """The disposition of an email for a person with these preferences, and why it is not sent
    when it is suppressed (the delivery log shows the reason)."""
    how = disposition(template, chosen.opted_out, chosen.digest)
    why = f"opted out of {TEMPLATES[template].category}" if how is Disposition.SUPPRESS else None
    return how, why
