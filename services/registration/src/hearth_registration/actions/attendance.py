"""Who came, and for how long: staff check-in, a video platform's CSV report, and
AttendanceReported events from other systems all end here, as one record per person and
gathering. A new record, or a change to one, publishes AttendanceRecorded (a correction as the
next revision); the same figure again publishes nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from hearth_shared.contracts.catalogue import AttendanceRecorded, AttendanceReported
from hearth_shared.messaging import PermanentFailure, Work

from .. import store
from ..domain import NotFound
from ..domain.attendance_report import RowError, parse_report
from ..events import person_details
from ..store.attendance import Attendance, AttendanceImport
from ..store.people import Person


class UnknownAttendee(PermanentFailure):
    reason = "unknown_attendee"


@dataclass
class Outcome:
    """What a check-in or an import did: who was recorded, what was refused and why."""

    recorded: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def add(self, person: Person, attendance: Attendance | None) -> None:
        """Count one person's record: recorded anew (or corrected), or already so."""
        if attendance is None:
            self.unchanged += 1
            return
        self.recorded.append(
            {
                "person_id": person.id,
                "email": person.email,
                "minutes_attended": attendance.minutes_attended,
                "revision": attendance.revision,
            }
        )


async def record(
    work: Work,
    gathering_id: uuid.UUID,
    person: Person,
    minutes: int,
    source: str,
    recorded_by: uuid.UUID | None = None,
) -> Attendance | None:
    """Set the person's minutes; publish the new revision. None when nothing changed."""
    attendance = await store.attendance.upsert(
        work.conn, gathering_id, person.id, minutes, source, recorded_by
    )
    if attendance is not None:
        await work.publish(
            AttendanceRecorded(
                attendance_id=attendance.id,
                gathering_id=gathering_id,
                person_id=person.id,
                minutes_attended=minutes,
                revision=attendance.revision,
                attendee=person_details(person),
            )
        )
    return attendance


async def check_in(
    work: Work, gathering_id: uuid.UUID, person_ids: list[uuid.UUID], staff_id: uuid.UUID | None = None
) -> Outcome:
    """Staff (`staff_id`) saw them there: each ticket holder is recorded for the gathering's full
    length."""
    gathering = await store.gatherings.known_gathering(work.conn, gathering_id)
    minutes = int((gathering.ends_at - gathering.starts_at).total_seconds() // 60)
    holders = {p.id: p for p in await store.tickets.active_ticket_holders(work.conn, gathering_id)}
    outcome = Outcome()
    for index, person_id in enumerate(dict.fromkeys(person_ids)):
        person = holders.get(person_id)
        if person is None:
            outcome.errors.append(
                {
                    "field": f"person_ids.{index}",
                    "person_id": person_id,
                    "reason": "holds no ticket for this gathering",
                }
            )
        else:
            outcome.add(person, await record(work, gathering_id, person, minutes, "check_in", staff_id))
    return outcome


async def undo_check_in(
    work: Work, gathering_id: uuid.UUID, person_id: uuid.UUID, staff_id: uuid.UUID
) -> Attendance:
    """Staff take a check-in back (the wrong person's button): the record becomes 0 minutes as its
    next revision, published like any correction, so credits reverses what it awarded; a later
    check-in is newer still. NotFound when nothing is recorded for the person."""
    await store.gatherings.known_gathering(work.conn, gathering_id)
    current = await store.attendance.for_person(work.conn, gathering_id, person_id)
    if current is None or current.minutes_attended == 0:
        raise NotFound(f"no attendance is recorded for person {person_id} at gathering {gathering_id}")
    person = await store.people.get_person(work.conn, person_id)
    undone = await record(work, gathering_id, person, 0, "undone", staff_id)
    assert undone is not None  # the minutes changed
    return undone


async def import_report(
    work: Work, gathering_id: uuid.UUID, text: str, filename: str | None, imported_by: uuid.UUID
) -> tuple[AttendanceImport, Outcome]:
    """Merge a platform's report per person and record the minutes of every ticket holder in it;
    every row that cannot be used is kept with the import, by line number and reason, and who
    imported it (the staff member)."""
    gathering = await store.gatherings.known_gathering(work.conn, gathering_id)
    report = parse_report(text, ZoneInfo(gathering.time_zone))
    holders = {p.email.lower(): p for p in await store.tickets.active_ticket_holders(work.conn, gathering_id)}
    outcome = Outcome(errors=[_error(e) for e in report.errors])
    for email, presence in report.people.items():
        person = holders.get(email)
        if person is None:
            reason = "no ticket holder has this email"
            outcome.errors += [_error(RowError(line, reason, email)) for line in presence.lines]
        else:
            outcome.add(person, await record(work, gathering_id, person, presence.minutes, "import"))
    outcome.errors.sort(key=lambda e: int(e["line"]))
    rows_read = sum(len(p.lines) for p in report.people.values()) + len(report.errors)
    saved = await store.attendance.save_import(
        work.conn,
        gathering_id,
        filename,
        rows_read,
        len(outcome.recorded) + outcome.unchanged,
        outcome.errors,
        imported_by,
    )
    return saved, outcome


def _error(error: RowError) -> dict[str, Any]:
    return {"line": error.line, "email": error.email, "reason": error.reason}


async def record_reported(work: Work, report: AttendanceReported) -> None:
    """Another system's figure for one person; an email with no ticket is parked for staff."""
    if await store.gatherings.get_gathering(work.conn, report.gathering_id) is None:
        raise UnknownAttendee(f"no gathering {report.gathering_id}")
    person = await store.people.person_by_email(work.conn, report.email)
    if person is None or not await store.tickets.ticket_for(work.conn, report.gathering_id, person.id):
        # The field, not its value: parking details are logged and shown to staff.
        raise UnknownAttendee(f"the reported email holds no ticket for gathering {report.gathering_id}")
    await record(work, report.gathering_id, person, report.minutes_attended, "reported")
