"""Credits' reactions to events: attendance, gatherings' credit policies, feedback, erasure.
Each reconciles the ledger for what it touched; the order they arrive in does not matter."""

from __future__ import annotations

from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    FeedbackSubmitted,
    GatheringCancelled,
    GatheringScheduled,
    GatheringUpdated,
    PersonErasureRequested,
)
from hearth_shared.messaging import Handler, HandlerContext, handles

from . import ledger, store
from .settings import CreditsSettings


def handlers(settings: CreditsSettings) -> list[Handler]:
    rule = settings.cycle_rule()

    @handles(AttendanceRecorded)
    async def on_attendance_recorded(ctx: HandlerContext, attendance: AttendanceRecorded) -> None:
        await store.lock_activity(ctx.conn, attendance.gathering_id)
        if attendance.attendee:
            await store.upsert_person(ctx.conn, attendance.attendee)
        if await store.keep_attendance(
            ctx.conn,
            attendance.attendance_id,
            attendance.gathering_id,
            attendance.person_id,
            attendance.minutes_attended,
            attendance.revision,
        ):
            await ledger.reconcile(ctx.conn, attendance.gathering_id, attendance.person_id, rule, ctx.publish)

    @handles(GatheringScheduled, GatheringUpdated, GatheringCancelled)
    async def on_gathering(
        ctx: HandlerContext, gathering: GatheringScheduled | GatheringUpdated | GatheringCancelled
    ) -> None:
        """A gathering's credit policy (or its cancellation) applies to everyone who attended."""
        await store.lock_activity(ctx.conn, gathering.gathering_id)
        if isinstance(gathering, GatheringCancelled):
            await store.cancel_activity(ctx.conn, gathering.gathering_id)
        else:
            await store.upsert_activity(ctx.conn, gathering)
        for person_id in await store.attendees_of(ctx.conn, gathering.gathering_id):
            await ledger.reconcile(ctx.conn, gathering.gathering_id, person_id, rule, ctx.publish)

    @handles(FeedbackSubmitted)
    async def on_feedback(ctx: HandlerContext, feedback: FeedbackSubmitted) -> None:
        """Feedback may be what a certificate was waiting for."""
        await store.lock_activity(ctx.conn, feedback.gathering_id)
        await store.record_feedback(ctx.conn, feedback.gathering_id, feedback.person_id)
        await ledger.reconcile(ctx.conn, feedback.gathering_id, feedback.person_id, rule, ctx.publish)

    @handles(PersonErasureRequested)
    async def on_erasure(ctx: HandlerContext, request: PersonErasureRequested) -> None:
        """Remove the person's details; the ledger (by opaque id) stays, as regulators require."""
        await store.erase_person(ctx.conn, request.email)

    return [on_attendance_recorded, on_gathering, on_feedback, on_erasure]
