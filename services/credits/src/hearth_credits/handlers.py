"""Credits' reactions to events: attendance, gatherings' credit policies, feedback, erasure.
Each reconciles the ledger for what it touched; the order they arrive in does not matter.

Attendance arrives in backlogs (a report imported after a gathering, a platform's export), so its
handler takes the consumer's whole batch and reconciles it with one statement per table."""

from __future__ import annotations

from typing import Any

from hearth_shared.contracts import CloudEvent
from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    FeedbackSubmitted,
    GatheringCancelled,
    GatheringScheduled,
    GatheringUpdated,
    PersonErasureRequested,
)
from hearth_shared.messaging import Handler, HandlerContext, Work, handles, handles_batch

from . import ledger, store
from .settings import CreditsSettings


def handlers(settings: CreditsSettings) -> list[Handler]:
    rule = settings.cycle_rule()

    @handles_batch(AttendanceRecorded, concurrency=settings.attendance_concurrency)
    async def on_attendance_recorded(ctx: Work, events: list[CloudEvent[Any]]) -> None:
        """Attendance earns credit once its gathering's policy is known (whichever comes first)."""
        records: list[AttendanceRecorded] = [e.data for e in events]
        await store.lock_activities(ctx.conn, {r.gathering_id for r in records}, shared=True)
        await store.upsert_people(ctx.conn, [r.attendee for r in records if r.attendee])
        changed = await store.keep_attendance(ctx.conn, records)
        # Each change is caused by the newest record of its pair (the one that was stored).
        cause = {}
        for event in sorted(events, key=lambda e: e.data.revision):
            cause[(event.data.gathering_id, event.data.person_id)] = event
        for pair, data in await ledger.reconcile(ctx.conn, sorted(changed), rule):
            await ctx.caused_by(cause[pair]).publish(data)

    @handles(GatheringScheduled, GatheringUpdated, GatheringCancelled)
    async def on_gathering(
        ctx: HandlerContext, gathering: GatheringScheduled | GatheringUpdated | GatheringCancelled
    ) -> None:
        """A gathering's credit policy (or its cancellation) applies to everyone who attended."""
        await store.lock_activities(ctx.conn, [gathering.gathering_id])
        if isinstance(gathering, GatheringCancelled):
            await store.cancel_activity(ctx.conn, gathering.gathering_id)
        else:
            await store.upsert_activity(ctx.conn, gathering)
        attendees = await store.attendees_of(ctx.conn, gathering.gathering_id)
        pairs = [(gathering.gathering_id, person_id) for person_id in attendees]
        for _, data in await ledger.reconcile(ctx.conn, pairs, rule):
            await ctx.publish(data)

    @handles(FeedbackSubmitted)
    async def on_feedback(ctx: HandlerContext, feedback: FeedbackSubmitted) -> None:
        """Feedback may be what a certificate was waiting for."""
        await store.lock_activities(ctx.conn, [feedback.gathering_id])
        await store.record_feedback(ctx.conn, feedback.gathering_id, feedback.person_id)
        for _, data in await ledger.reconcile(ctx.conn, [(feedback.gathering_id, feedback.person_id)], rule):
            await ctx.publish(data)

    @handles(PersonErasureRequested)
    async def on_erasure(ctx: HandlerContext, request: PersonErasureRequested) -> None:
        """Remove the person's details; the ledger (by opaque id) stays, as regulators require."""
        await store.erase_person(ctx.conn, request.email)

    return [on_attendance_recorded, on_gathering, on_feedback, on_erasure]
