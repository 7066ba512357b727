"""Reading a video platform's attendance report (CSV), free of I/O.

Platforms write one row per join: a person who dropped out and rejoined has several rows, and one
who joined from two devices has overlapping ones. Each person's rows are merged into the minutes
they were present. Rows that cannot be read are reported with their line number and reason; the
rest are still counted.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email

# Header spellings seen in Zoom, Teams and Webex exports, reduced to lowercase letters.
COLUMNS = {
    "name": "name",
    "fullname": "name",
    "participant": "name",
    "email": "email",
    "useremail": "email",
    "attendeeemail": "email",
    "jointime": "join",
    "leavetime": "leave",
    "duration": "duration",
    "durationminutes": "duration",
}
TIME_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str
    email: str | None = None


@dataclass
class PersonAttendance:
    email: str
    name: str
    lines: list[int] = field(default_factory=list)
    intervals: list[tuple[datetime, datetime]] = field(default_factory=list)
    extra_minutes: int = 0  # rows that give only a duration

    @property
    def minutes(self) -> int:
        return merged_minutes(self.intervals) + self.extra_minutes


@dataclass
class Report:
    people: dict[str, PersonAttendance]
    errors: list[RowError]


def merged_minutes(intervals: Iterable[tuple[datetime, datetime]]) -> int:
    """Whole minutes covered by the union of the intervals (overlaps count once)."""
    total = timedelta()
    current: tuple[datetime, datetime] | None = None
    for start, end in sorted(intervals):
        if current and start <= current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current:
            total += current[1] - current[0]
        current = (start, end)
    if current:
        total += current[1] - current[0]
    return int(total.total_seconds() // 60)


def _column(header: str) -> str | None:
    return COLUMNS.get(re.sub(r"[^a-z]", "", re.sub(r"\(.*?\)", "", header.lower())))


def parse_time(text: str, zone: ZoneInfo) -> datetime:
    """ISO 8601 or a platform's US-style stamp; a time without an offset is in `zone`. Returned in
    UTC: Python subtracts two times of one zone on the wall clock, wrong across a DST change."""
    text = text.strip()
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        for fmt in TIME_FORMATS:
            try:
                stamp = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"{text!r} is not a date and time this import reads") from None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=zone)).astimezone(UTC)


def parse_report(text: str, zone: ZoneInfo) -> Report:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    report = Report(people={}, errors=[])
    header = next(reader, None)
    columns = {name: i for i, h in enumerate(header or []) if (name := _column(h))}
    if "email" not in columns or not ({"join", "leave"} <= columns.keys() or "duration" in columns):
        report.errors.append(
            RowError(
                1,
                "the first line must name the columns: email, and join time and leave time "
                "(or duration); found " + (", ".join(header) if header else "nothing"),
            )
        )
        return report
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        _read_row(report, reader.line_num, row, columns, zone)
    return report


def _read_row(report: Report, line: int, row: list[str], columns: dict[str, int], zone: ZoneInfo) -> None:
    def cell(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    raw_email = cell("email")
    if not raw_email:
        report.errors.append(RowError(line, "no email: the person cannot be identified"))
        return
    try:
        email = validate_email(raw_email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        report.errors.append(RowError(line, f"{raw_email!r} is not an email address: {exc}", raw_email))
        return
    try:
        interval, minutes = _presence(cell("join"), cell("leave"), cell("duration"), zone)
    except ValueError as exc:
        report.errors.append(RowError(line, str(exc), email))
        return
    person = report.people.setdefault(email, PersonAttendance(email=email, name=cell("name")))
    person.lines.append(line)
    if interval:
        person.intervals.append(interval)
    person.extra_minutes += minutes


def _presence(
    join: str, leave: str, duration: str, zone: ZoneInfo
) -> tuple[tuple[datetime, datetime] | None, int]:
    """An interval when the row has both times, else the row's duration in minutes."""
    if join and leave:
        start, end = parse_time(join, zone), parse_time(leave, zone)
        if end < start:
            raise ValueError(f"leave time {leave} is before join time {join}")
        return (start, end), 0
    if join or leave:
        raise ValueError("a row needs both a join time and a leave time")
    if not duration:
        raise ValueError("no join and leave times and no duration")
    try:
        minutes = int(float(duration))
    except ValueError:
        raise ValueError(f"duration {duration!r} is not a number of minutes") from None
    if not 0 <= minutes <= 24 * 60:
        raise ValueError(f"duration {minutes} is not between 0 and 1440 minutes")
    return None, minutes
