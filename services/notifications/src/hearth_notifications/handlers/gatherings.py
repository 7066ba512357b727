"""Gatherings: confirmations, waitlist news, changes and cancellations to ticket holders; plans for
reminders and the feedback request; attendance for who is asked for feedback."""

from __future__ import annotations

import asyncio
from typing import Any

from hearth_shared.contracts import CloudEvent
from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    Bilingual,
    GatheringCancelled,
    GatheringScheduled,
    GatheringSnapshot,
    GatheringUpdated,
    RegistrationCancelled,
    TicketPurchased,
    WaitlistJoined,
    WaitlistOffered,
)
from hearth_shared.messaging import Handler, HandlerContext, Work, handles, handles_batch

from .. import domain
from ..dispatch import Outgoing, dispatch
from ..invites import invite
from ..messages import Email, Occasion, Recipient, compose, moment, occasion_context
from ..settings import MailSettings
from ..store import occasions, people, plans
from .common import recipient, send

# What a ticket holder would want to hear about when it changes (not capacity, status or policy).
NOTICEABLE = ("title", "starts_at", "ends_at", "time_zone", "modality", "venue", "address")


def from_snapshot(snapshot: GatheringSnapshot) -> Occasion:
    return Occasion(
        id=snapshot.gathering_id,
        title=snapshot.title,
        starts_at=snapshot.starts_at,
        ends_at=snapshot.ends_at,
        time_zone=snapshot.time_zone,
        venue=snapshot.venue,
        join_url=snapshot.join_url,
    )


def announced(gathering: GatheringScheduled, snapshot: GatheringSnapshot) -> Occasion:
    """The gathering as now announced, with the join link the person's ticket carries."""
    venue = ", ".join(p for p in (gathering.venue, gathering.address) if p) or None
    return Occasion(
        id=gathering.gathering_id,
        title=gathering.title,
        starts_at=gathering.starts_at,
        ends_at=gathering.ends_at,
        time_zone=gathering.time_zone,
        venue=venue,
        join_url=snapshot.join_url,
    )


def handlers(settings: MailSettings, clock: domain.Clock) -> list[Handler]:
    @handles(GatheringScheduled, GatheringUpdated, GatheringCancelled)
    async def on_gathering(ctx: HandlerContext, data: Any) -> None:
        """Plan reminders and the feedback request (moved when the gathering moves, dropped when
        it is cancelled) and tell ticket holders about real changes."""
        if isinstance(data, GatheringCancelled):
            await plans.drop(ctx.conn, data.gathering_id)
            await _tell_holders(ctx, data.gathering_id, None, data.reason)
            return
        before = await occasions.gathering(ctx.conn, data.gathering_id)
        details = data.model_dump(mode="json", include=set(NOTICEABLE))
        await occasions.save_gathering(ctx.conn, data.gathering_id, details, data.status)
        if data.status == "cancelled":
            await plans.drop(ctx.conn, data.gathering_id)
            return
        await plans.replan(
            ctx.conn,
            data.gathering_id,
            domain.gathering_plans(data.starts_at, data.ends_at, settings.reminders, settings.feedback_after),
            clock(),
        )
        if isinstance(data, GatheringUpdated) and before is not None and before != details:
            await _tell_holders(ctx, data.gathering_id, data, None)

    async def _tell_holders(
        ctx: HandlerContext, gathering_id: Any, now: GatheringScheduled | None, reason: str | None
    ) -> None:
        holders = await occasions.ticket_holders(ctx.conn, gathering_id)
        found = await people.find(ctx.conn, [person for person, _ in holders])
        sequence = int(ctx.event.time.timestamp())
        emails: list[Email] = []
        for person, snapshot in holders:
            if (to := found.get(person)) is None:
                continue
            if now is None:
                occasion = from_snapshot(snapshot)
                ics = invite(occasion, to.language, sequence=sequence, cancelled=True)
                emails.append(
                    compose(
                        "gathering_cancelled",
                        to,
                        calendar=ics,
                        reason=reason,
                        **occasion_context(occasion, to.language),
                    )
                )
            else:
                occasion = announced(now, snapshot)
                ics = invite(occasion, to.language, sequence=sequence)
                emails.append(
                    compose("gathering_updated", to, calendar=ics, **occasion_context(occasion, to.language))
                )
        await send(ctx, emails)

    @handles_batch(TicketPurchased, RegistrationCancelled, WaitlistJoined, WaitlistOffered, concurrency=2)
    async def on_ticket(ctx: Work, events: list[CloudEvent[Any]]) -> None:
        """Confirm a place (with the calendar invitation), its cancellation, and waitlist news.
        Ticket sales come in bursts: a batch at a time, one statement per table."""
        await people.remember(ctx.conn, [recipient(e.data.attendee) for e in events])
        await occasions.add_tickets(
            ctx.conn,
            [
                (e.data.ticket_id, e.data.attendee.person_id, e.data.gathering)
                for e in events
                if isinstance(e.data, TicketPurchased)
            ],
        )
        await occasions.cancel_tickets(
            ctx.conn, [e.data.ticket_id for e in events if isinstance(e.data, RegistrationCancelled)]
        )
        emails = []
        for event in events:
            emails.append(Outgoing(_ticket_email(event), event.id, event.correlationid))
            # Rendering takes about a millisecond an email: let the mail sender's SMTP replies
            # in between, rather than holding the event loop for a whole batch.
            await asyncio.sleep(0)
        await dispatch(ctx.conn, emails)

    def _ticket_email(event: CloudEvent[Any]) -> Email:
        data = event.data
        to = recipient(data.attendee)
        occasion = from_snapshot(data.gathering)
        context = occasion_context(occasion, to.language)
        if isinstance(data, TicketPurchased):
            ics = invite(occasion, to.language, sequence=int(event.time.timestamp()))
            return compose("ticket_confirmation", to, calendar=ics, **context)
        if isinstance(data, RegistrationCancelled):
            return compose("registration_cancelled", to, **context)
        if isinstance(data, WaitlistJoined):
            return compose("waitlist_joined", to, position=data.position, **context)
        accept_url = f"{settings.registration_public_url}/waitlist/{data.entry_id}/accept"
        expires = moment(data.expires_at, occasion.time_zone, to.language)
        return compose("waitlist_offered", to, expires=expires, accept_url=accept_url, **context)

    @handles(AttendanceRecorded)
    async def on_attendance(ctx: HandlerContext, data: AttendanceRecorded) -> None:
        """Remember who attended; once the feedback request has gone out, someone recorded late
        (a report imported the next day) is asked at once."""
        if data.attendee is not None:
            await people.remember(ctx.conn, [recipient(data.attendee)])
        if data.minutes_attended == 0:
            return
        await occasions.record_attendance(ctx.conn, data.gathering_id, data.person_id)
        if await plans.fired(ctx.conn, data.gathering_id, "feedback_request"):
            details = await occasions.gathering(ctx.conn, data.gathering_id)
            found = await people.find(ctx.conn, [data.person_id])
            if details is not None and data.person_id in found:
                await send(
                    ctx, [feedback_request(settings, data.gathering_id, details, found[data.person_id])]
                )

    return [on_gathering, on_ticket, on_attendance]


def feedback_request(
    settings: MailSettings, gathering_id: Any, details: dict[str, Any], to: Recipient
) -> Email:
    url = f"{settings.registration_public_url}/gatherings/{gathering_id}/feedback"
    return compose("feedback_request", to, title=Bilingual.model_validate(details["title"]), feedback_url=url)
