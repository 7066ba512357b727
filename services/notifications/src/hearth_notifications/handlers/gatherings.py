"""Gatherings: changes and cancellations to ticket holders, plans for reminders and the feedback
request; ticket news; attendance for who is asked for feedback."""

from __future__ import annotations

from typing import Any

from hearth_shared.contracts import CloudEvent
from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    GatheringCancelled,
    GatheringScheduled,
    GatheringUpdated,
    RegistrationCancelled,
    TicketConfirmed,
    TicketPurchased,
    WaitlistJoined,
    WaitlistOffered,
)
from hearth_shared.messaging import HandlerContext, Work, handles, handles_batch

from ..actions import attendance, gatherings, tickets
from ..domain.plans import system_clock
from ..settings import NotificationsSettings


# One queue for the three: a gathering's revisions must apply in order (a cancellation after its schedule).
@handles(GatheringScheduled, GatheringUpdated, GatheringCancelled)
async def on_gathering(ctx: HandlerContext, data: Any) -> None:
    """Plan reminders and the feedback request (moved when the gathering moves, dropped when
    it is cancelled) and tell ticket holders about real changes."""
    settings: NotificationsSettings = ctx.settings
    sequence = int(ctx.event.time.timestamp())
    if isinstance(data, GatheringCancelled):
        await gatherings.cancel(ctx, data, sequence=sequence)
        return
    await gatherings.announce(
        ctx,
        data,
        reminders=settings.reminders,
        feedback_after=settings.feedback_after,
        now=system_clock(),
        sequence=sequence,
    )


# One queue for all: a ticket's news must apply in order (a cancellation after its purchase).
@handles_batch(
    TicketPurchased, RegistrationCancelled, WaitlistJoined, WaitlistOffered, TicketConfirmed, concurrency=2
)
async def on_ticket(ctx: Work, events: list[CloudEvent[Any]]) -> None:
    """Confirm a place (with the calendar invitation), its cancellation, and waitlist news.
    Ticket sales come in bursts: a batch at a time, one statement per table."""
    await tickets.record_news(ctx, events)


@handles(AttendanceRecorded, name="on_attendance")
async def on_attendance_recorded(ctx: HandlerContext, data: AttendanceRecorded) -> None:
    """Remember who attended; once the feedback request has gone out, someone recorded late
    (a report imported the next day) is asked at once."""
    await attendance.record(ctx, data, at=ctx.event.time)
