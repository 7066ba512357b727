"""Reading a video platform's attendance report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth_registration.domain.attendance_report import merged_minutes, parse_report

pytestmark = pytest.mark.unit

HALIFAX = ZoneInfo("America/Halifax")

ZOOM = """\ufeffName (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
Maëlle Arsenault,Maelle.Arsenault@Example.org,03/11/2027 11:58:03 AM,03/11/2027 12:40:00 PM,42,No
Maëlle Arsenault,maelle.arsenault@example.org,03/11/2027 12:45:00 PM,03/11/2027 01:30:00 PM,45,No
Devon Okafor,devon.okafor@example.org,03/11/2027 12:00:00 PM,03/11/2027 01:00:00 PM,60,No
Devon (phone),devon.okafor@example.org,03/11/2027 12:30:00 PM,03/11/2027 01:10:00 PM,40,No
No Email,,03/11/2027 12:00:00 PM,03/11/2027 01:00:00 PM,60,Yes
Bad Times,bad.times@example.org,yesterday-ish,03/11/2027 01:00:00 PM,60,No
Backwards,back.wards@example.org,03/11/2027 01:00:00 PM,03/11/2027 12:00:00 PM,60,No
Not An Email,not-an-email,03/11/2027 12:00:00 PM,03/11/2027 01:00:00 PM,60,No
"""


def test_rejoins_merge_per_person_and_broken_rows_are_reported_by_line() -> None:
    report = parse_report(ZOOM, HALIFAX)
    minutes = {email: p.minutes for email, p in report.people.items()}
    # Maëlle: 11:58:03–12:40 (41 min 57 s) + 12:45–13:30 (45 min) → 86 whole minutes.
    # Devon: laptop 12:00–13:00 and phone 12:30–13:10 overlap → 12:00–13:10 = 70.
    assert minutes == {"maelle.arsenault@example.org": 86, "devon.okafor@example.org": 70}
    assert report.people["maelle.arsenault@example.org"].lines == [2, 3]
    assert [(e.line, e.reason.split(":")[0]) for e in report.errors] == [
        (6, "no email"),
        (7, "'yesterday-ish' is not a date and time this import reads"),
        (8, "leave time 03/11/2027 12"),
        (9, "'not-an-email' is not an email address"),
    ]


def test_times_without_an_offset_are_in_the_gatherings_zone_across_dst() -> None:
    # 2027-03-14 02:00 Halifax jumps to 03:00 (AST -4 → ADT -3): 01:30 → 03:30 is one hour.
    text = "email,join time,leave time\na@example.org,2027-03-14 01:30:00,2027-03-14 03:30:00\n"
    assert parse_report(text, HALIFAX).people["a@example.org"].minutes == 60
    london = "email,join time,leave time\na@example.org,2027-10-31 00:30:00,2027-10-31 02:30:00\n"
    # London falls back at 02:00 BST → 01:00 GMT: 00:30 BST → 02:30 GMT is three hours.
    assert parse_report(london, ZoneInfo("Europe/London")).people["a@example.org"].minutes == 180


def test_a_report_with_only_durations_sums_them() -> None:
    text = "Full Name,Email,Duration\nA,a@example.org,30\nA,a@example.org,15.7\n"
    assert parse_report(text, HALIFAX).people["a@example.org"].minutes == 45


def test_a_report_without_an_email_column_is_refused_on_line_1() -> None:
    report = parse_report("name,minutes\nA,3\n", HALIFAX)
    assert report.people == {}
    assert report.errors[0].line == 1
    assert "email" in report.errors[0].reason


intervals = st.lists(
    st.tuples(st.integers(0, 600), st.integers(0, 300)).map(
        lambda t: (
            datetime(2027, 1, 1, tzinfo=UTC) + timedelta(minutes=t[0]),
            datetime(2027, 1, 1, tzinfo=UTC) + timedelta(minutes=t[0] + t[1]),
        )
    ),
    max_size=20,
)


@given(intervals)
def test_merged_minutes_count_each_minute_once(spans: list[tuple[datetime, datetime]]) -> None:
    covered = {m for start, end in spans for m in range(_minute(start), _minute(end))}
    assert merged_minutes(spans) == len(covered)


def _minute(t: datetime) -> int:
    return int((t - datetime(2027, 1, 1, tzinfo=UTC)).total_seconds() // 60)
