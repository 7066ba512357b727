"""Which email each fact becomes, and what it is given to say: the ticket news, a gathering's
change or cancellation (with the calendar invitation), reminders, the feedback request, credits,
group invitations and the daily digest."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from babel.numbers import format_currency, format_decimal

from hearth_shared.contracts.catalogue import (
    Bilingual,
    CertificateIssued,
    CreditsAwarded,
    GatheringScheduled,
    GatheringSnapshot,
    Interest,
    RegistrationCancelled,
    TicketPurchased,
    WaitlistJoined,
    WaitlistOffered,
)
from hearth_shared.signed_links import SignedLinks

from . import links as signed
from .gatherings import Gathering, announced, from_snapshot
from .invites import invite
from .people import Person
from .rendering import Email, compose, gathering_context
from .times import LOCALES, duration, moment

PURPOSES: dict[Interest, Bilingual] = {
    Interest.ADVOCACY_CAMPAIGN: Bilingual(en="advocacy campaign", fr="campagne de plaidoyer"),
    Interest.BEST_PRACTICE_RESOURCE: Bilingual(
        en="best-practice resource", fr="ressource de pratiques exemplaires"
    ),
    Interest.PEER_SUPPORT: Bilingual(en="peer support", fr="soutien entre pairs"),
    Interest.PEER_SUPERVISION: Bilingual(en="peer supervision", fr="supervision entre pairs"),
    Interest.PRACTICE_AREA_CIRCLE: Bilingual(en="practice-area circle", fr="cercle de pratique"),
}

TicketNews = TicketPurchased | RegistrationCancelled | WaitlistJoined | WaitlistOffered

# Registration's ticket states (issue 13): optional fields of TicketPurchased and
# RegistrationCancelled, read where present (an older producer sends neither: confirmed, cancelled).
AWAITING_PAYMENT = "awaiting_payment"
HOLD_EXPIRED = "hold_expired"


def ticket_news(data: TicketNews, to: Person, links: SignedLinks, *, sequence: int) -> Email:
    """A place confirmed (with the calendar invitation) or held awaiting payment (until when), its
    cancellation or the hold's expiry, or waitlist news; each says the ticket's state."""
    gathering = from_snapshot(data.gathering)
    context = gathering_context(gathering, to.language)
    if isinstance(data, TicketPurchased):
        return _purchase(data, to, links, gathering, sequence, context)
    if isinstance(data, RegistrationCancelled):
        expired = data.reason == HOLD_EXPIRED
        return compose("hold_expired" if expired else "registration_cancelled", to, links, **context)
    if isinstance(data, WaitlistJoined):
        return compose("waitlist_joined", to, links, position=data.position, **context)
    expires = moment(data.expires_at, gathering.time_zone, to.language)
    offer_url = signed.offer(links, data.entry_id)
    return compose("waitlist_offered", to, links, expires=expires, offer_url=offer_url, **context)


def _purchase(
    data: TicketPurchased,
    to: Person,
    links: SignedLinks,
    gathering: Gathering,
    sequence: int,
    context: dict[str, Any],
) -> Email:
    my_url = signed.registration(links, data.ticket_id)
    if data.status == AWAITING_PAYMENT:
        hold = data.hold_expires_at
        expires = moment(hold, gathering.time_zone, to.language) if hold else None
        price = format_currency(data.price_cents / 100, data.currency, locale=LOCALES[to.language])
        return compose("ticket_held", to, links, my_url=my_url, expires=expires, price=price, **context)
    ics = invite(gathering, to.language, sequence=sequence)
    return compose("ticket_confirmation", to, links, calendar=ics, my_url=my_url, **context)


def ticket_paid(
    to: Person,
    ticket_id: uuid.UUID,
    snapshot: GatheringSnapshot,
    links: SignedLinks,
    *,
    sequence: int,
    template: str = "ticket_paid",
) -> Email:
    """A held ticket paid (TicketConfirmed): confirmed now, with the calendar invitation; or, as
    `ticket_confirmation`, a confirmed ticket's confirmation written again (staff resend it)."""
    gathering = from_snapshot(snapshot)
    ics = invite(gathering, to.language, sequence=sequence)
    context = gathering_context(gathering, to.language)
    my_url = signed.registration(links, ticket_id)
    return compose(template, to, links, calendar=ics, my_url=my_url, **context)


def gathering_updated(
    to: Person,
    now: GatheringScheduled,
    snapshot: GatheringSnapshot,
    links: SignedLinks,
    *,
    sequence: int,
    ticket_id: uuid.UUID | None = None,
) -> Email:
    """A real change, with the invitation that updates the entry in the holder's calendar."""
    gathering = announced(now, snapshot)
    ics = invite(gathering, to.language, sequence=sequence)
    my_url = signed.registration(links, ticket_id) if ticket_id else None
    context = gathering_context(gathering, to.language)
    return compose("gathering_updated", to, links, calendar=ics, my_url=my_url, **context)


def gathering_cancelled(
    to: Person, snapshot: GatheringSnapshot, reason: str | None, links: SignedLinks, *, sequence: int
) -> Email:
    """The cancellation, with the invitation that cancels the entry in the holder's calendar."""
    gathering = from_snapshot(snapshot)
    ics = invite(gathering, to.language, sequence=sequence, cancelled=True)
    return compose(
        "gathering_cancelled",
        to,
        links,
        calendar=ics,
        reason=reason,
        **gathering_context(gathering, to.language),
    )


def reminder(
    to: Person,
    gathering: Gathering,
    lead_time: timedelta,
    links: SignedLinks,
    ticket_id: uuid.UUID | None = None,
) -> Email:
    lead = duration(lead_time, to.language)
    my_url = signed.registration(links, ticket_id) if ticket_id else None
    return compose(
        "reminder", to, links, lead=lead, my_url=my_url, **gathering_context(gathering, to.language)
    )


def group_meeting_reminder(to: Person, meeting: Gathering, lead_time: timedelta, links: SignedLinks) -> Email:
    return compose(
        "group_meeting_reminder",
        to,
        links,
        group_name=meeting.title,
        lead=duration(lead_time, to.language),
        **gathering_context(meeting, to.language),
    )


def feedback_request(to: Person, gathering_id: uuid.UUID, title: Bilingual, links: SignedLinks) -> Email:
    """The request opens this person's own feedback form (never the list of everyone's)."""
    if to.person_id is None:
        raise ValueError("a feedback request names its attendee")
    url = signed.feedback(links, gathering_id, to.person_id)
    return compose("feedback_request", to, links, title=title, feedback_url=url)


def credits_news(data: CreditsAwarded | CertificateIssued, to: Person, links: SignedLinks) -> Email | None:
    """Hours recorded, or a certificate issued (a link to its public verification page); None
    when there is nothing to announce (a self-report has no title, a zero award is below the
    minimum)."""
    title = data.activity_title
    if title is None or data.hours == 0:
        return None
    hours = format_decimal(data.hours, locale=LOCALES[to.language])
    if isinstance(data, CreditsAwarded):
        return compose("credits_awarded", to, links, title=title, hours=hours, cycle=data.cycle)
    verification_url = signed.verification(links, data.verification_code)
    return compose(
        "certificate_issued", to, links, title=title, hours=hours, verification_url=verification_url
    )


def group_formed(to: Person, group_name: Bilingual, purpose: Interest, links: SignedLinks) -> Email:
    return compose("group_formed", to, links, group_name=group_name, purpose=PURPOSES[purpose])


def group_digest(to: Person, subjects: list[str], links: SignedLinks) -> Email:
    return compose("group_digest", to, links, items=[{"subject": s} for s in subjects])
