"""Which email each fact becomes, and what it is given to say: the ticket news, a gathering's
change or cancellation (with the calendar invitation), reminders, the feedback request, credits,
group invitations and the daily digest."""

from __future__ import annotations

import uuid
from datetime import timedelta

from babel.numbers import format_decimal

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

from .gatherings import Gathering, announced, from_snapshot
from .invites import invite
from .people import Person, person_of
from .rendering import Email, compose, gathering_context
from .times import LOCALES, duration, moment

PURPOSES: dict[Interest, Bilingual] = {
    Interest.ADVOCACY_CAMPAIGN: Bilingual(en="advocacy campaign", fr="campagne de plaidoyer"),
    Interest.BEST_PRACTICE_RESOURCE: Bilingual(
        en="best-practice resource", fr="ressource de pratiques exemplaires"
    ),
    Interest.PEER_SUPPORT: Bilingual(en="peer support", fr="soutien entre pairs"),
    Interest.PEER_SUPERVISION: Bilingual(en="peer supervision", fr="supervision entre pairs"),
}

TicketNews = TicketPurchased | RegistrationCancelled | WaitlistJoined | WaitlistOffered


def ticket_news(data: TicketNews, *, sequence: int, registration_url: str) -> Email:
    """A place confirmed (with the calendar invitation), its cancellation, or waitlist news."""
    to = person_of(data.attendee)
    gathering = from_snapshot(data.gathering)
    context = gathering_context(gathering, to.language)
    if isinstance(data, TicketPurchased):
        ics = invite(gathering, to.language, sequence=sequence)
        return compose("ticket_confirmation", to, calendar=ics, **context)
    if isinstance(data, RegistrationCancelled):
        return compose("registration_cancelled", to, **context)
    if isinstance(data, WaitlistJoined):
        return compose("waitlist_joined", to, position=data.position, **context)
    accept_url = f"{registration_url}/waitlist/{data.entry_id}/accept"
    expires = moment(data.expires_at, gathering.time_zone, to.language)
    return compose("waitlist_offered", to, expires=expires, accept_url=accept_url, **context)


def gathering_updated(
    to: Person, now: GatheringScheduled, snapshot: GatheringSnapshot, *, sequence: int
) -> Email:
    """A real change, with the invitation that updates the entry in the holder's calendar."""
    gathering = announced(now, snapshot)
    ics = invite(gathering, to.language, sequence=sequence)
    return compose("gathering_updated", to, calendar=ics, **gathering_context(gathering, to.language))


def gathering_cancelled(
    to: Person, snapshot: GatheringSnapshot, reason: str | None, *, sequence: int
) -> Email:
    """The cancellation, with the invitation that cancels the entry in the holder's calendar."""
    gathering = from_snapshot(snapshot)
    ics = invite(gathering, to.language, sequence=sequence, cancelled=True)
    return compose(
        "gathering_cancelled", to, calendar=ics, reason=reason, **gathering_context(gathering, to.language)
    )


def reminder(to: Person, gathering: Gathering, lead_time: timedelta) -> Email:
    return compose(
        "reminder", to, lead=duration(lead_time, to.language), **gathering_context(gathering, to.language)
    )


def group_meeting_reminder(to: Person, meeting: Gathering, lead_time: timedelta) -> Email:
    return compose(
        "group_meeting_reminder",
        to,
        group_name=meeting.title,
        lead=duration(lead_time, to.language),
        **gathering_context(meeting, to.language),
    )


def feedback_request(to: Person, gathering_id: uuid.UUID, title: Bilingual, registration_url: str) -> Email:
    url = f"{registration_url}/gatherings/{gathering_id}/feedback"
    return compose("feedback_request", to, title=title, feedback_url=url)


def credits_news(data: CreditsAwarded | CertificateIssued, to: Person, credits_url: str) -> Email | None:
    """Hours recorded, or a certificate issued (a link to the PDF and to its public check); None
    when there is nothing to announce (a self-report has no title, a zero award is below the
    minimum)."""
    title = data.activity_title
    if title is None or data.hours == 0:
        return None
    hours = format_decimal(data.hours, locale=LOCALES[to.language])
    if isinstance(data, CreditsAwarded):
        return compose("credits_awarded", to, title=title, hours=hours, cycle=data.cycle)
    return compose(
        "certificate_issued",
        to,
        title=title,
        hours=hours,
        certificate_url=credits_url + data.certificate_path,
        verification_url=credits_url + data.verification_path,
    )


def group_formed(to: Person, group_name: Bilingual, purpose: Interest) -> Email:
    return compose("group_formed", to, group_name=group_name, purpose=PURPOSES[purpose])


def group_digest(to: Person, subjects: list[str]) -> Email:
    return compose("group_digest", to, items=[{"subject": s} for s in subjects])
