"""Who came, and for how long: staff check-in, a video platform's CSV report, and
AttendanceReported events from other systems all end here, as one record per person and
gathering. A new record, or a change to one, publishes AttendanceRecorded (a correction as the
next revision); the same figure again publishes nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from hearth_shared.contracts import PermanentFailure
from hearth_shared.contracts.catalogue import AttendanceRecorded, AttendanceReported
from hearth_shared.db import Connection
from hearth_shared.messaging import Work

from . import seats, store
from .attendance_report import RowError, parse_report
from .seats import NotFound, attendee


class UnknownAttendee(PermanentFailure):
    reason = "unknown_attendee"


@dataclass
class Outcome:
    """What a check-in or an import did: who was recorded, what was refused and why."""

    recorded: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


async def record(
    conn: Connection,
    gathering_id: uuid.UUID,
    person: asyncpg.Record,
    minutes: int,
    source: str,
    work: Work,
) -> asyncpg.Record | None:
    """Set the person's minutes; publish the new revision. None when nothing changed."""
    row = await store.attendance.upsert(conn, gathering_id, person["id"], minutes, source)
    if row is not None:
        await work.publish(
            AttendanceRecorded(
                attendance_id=row["id"],
                gathering_id=gathering_id,
                person_id=person["id"],
                minutes_attended=minutes,
                revision=row["revision"],
                attendee=attendee(person),
            )
        )
    return row


def _recorded(person: asyncpg.Record, row: asyncpg.Record) -> dict[str, Any]:
    return {
        "person_id": person["id"],
        "email": person["email"],
        "minutes_attended": row["minutes_attended"],
        "revision": row["revision"],
    }


async def check_in(
    conn: Connection, gathering_id: uuid.UUID, person_ids: list[uuid.UUID], correlation_id: str
) -> Outcome:
    """Staff saw them there: each ticket holder is recorded for the gathering's full length."""
    work = seats.emitter(conn, correlation_id)
    gathering = await _gathering(conn, gathering_id)
    minutes = int((gathering["ends_at"] - gathering["starts_at"]).total_seconds() // 60)
    holders = {p["id"]: p for p in await store.seats.active_ticket_holders(conn, gathering_id)}
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
        elif row := await record(conn, gathering_id, person, minutes, "check_in", work):
            outcome.recorded.append(_recorded(person, row))
        else:
            outcome.unchanged += 1
    return outcome


async def import_report(
    conn: Connection, gathering_id: uuid.UUID, text: str, filename: str | None, correlation_id: str
) -> tuple[asyncpg.Record, Outcome]:
    """Merge a platform's report per person and record the minutes of every ticket holder in it;
    every row that cannot be used is kept with the import, by line number and reason."""
    work = seats.emitter(conn, correlation_id)
    gathering = await _gathering(conn, gathering_id)
    report = parse_report(text, ZoneInfo(gathering["time_zone"]))
    holders = {p["email"].lower(): p for p in await store.seats.active_ticket_holders(conn, gathering_id)}
    outcome = Outcome(errors=[_error(e) for e in report.errors])
    for email, presence in report.people.items():
        person = holders.get(email)
        if person is None:
            reason = "no ticket holder has this email"
            outcome.errors += [_error(RowError(line, reason, email)) for line in presence.lines]
        elif row := await record(conn, gathering_id, person, presence.minutes, "import", work):
            outcome.recorded.append(_recorded(person, row))
        else:
            outcome.unchanged += 1
    outcome.errors.sort(key=lambda e: int(e["line"]))
    rows_read = sum(len(p.lines) for p in report.people.values()) + len(report.errors)
    saved = await store.attendance.save_import(
        conn, gathering_id, filename, rows_read, len(outcome.recorded) + outcome.unchanged, outcome.errors
    )
    return saved, outcome


def _error(error: RowError) -> dict[str, Any]:
    return {"line": error.line, "email": error.email, "reason": error.reason}


async def reported(conn: Connection, report: AttendanceReported, work: Work) -> None:
    """Another system's figure for one person; an email with no ticket is parked for staff."""
    gathering = await store.gatherings.get_gathering(conn, report.gathering_id)
    if gathering is None:
        raise UnknownAttendee(f"no gathering {report.gathering_id}")
    person = await store.people.person_by_email(conn, report.email)
    if person is None or not await store.seats.ticket_for(conn, report.gathering_id, person["id"]):
        raise UnknownAttendee(f"{report.email} holds no ticket for gathering {report.gathering_id}")
    await record(conn, report.gathering_id, person, report.minutes_attended, "reported", work)


async def _gathering(conn: Connection, gathering_id: uuid.UUID) -> asyncpg.Record:
    gathering = await store.gatherings.get_gathering(conn, gathering_id)
    if gathering is None:
        raise NotFound(f"no gathering {gathering_id}")
    return gathering
