"""Attendance as registration records it: who attended (the people asked for feedback), and the
feedback request at once for someone recorded after it went out (a report imported the next day)."""

from __future__ import annotations

from datetime import datetime

from hearth_shared.contracts.catalogue import AttendanceRecorded
from hearth_shared.messaging import Work

from ..domain import emails
from ..domain.people import person_of
from ..store import gatherings, people, plans
from .deliveries import links_of, send


async def record(work: Work, attendance: AttendanceRecorded, *, at: datetime) -> None:
    """Remember who attended (not an erased person: `at`, when the event was published, tells a
    fact from before an erasure request); ask them for feedback if it already went out."""
    if attendance.attendee is not None:
        await people.remember(work.conn, [person_of(attendance.attendee)], known_at=[at])
    if attendance.minutes_attended == 0:
        return
    await gatherings.record_attendance(work.conn, attendance.gathering_id, attendance.person_id)
    if not await plans.fired(work.conn, attendance.gathering_id, "feedback_request"):
        return
    stored = await gatherings.gathering(work.conn, attendance.gathering_id)
    found = await people.find(work.conn, [attendance.person_id])
    if stored is not None and attendance.person_id in found:
        to = found[attendance.person_id]
        await send(
            work, [emails.feedback_request(to, stored.gathering_id, stored.gathering.title, links_of(work))]
        )
