"""Attendance and feedback against a real registration process, database and broker: a platform's
CSV report, staff check-in, AttendanceReported from another system, then feedback."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    AttendanceReported,
    FeedbackSubmitted,
    InterestExpressed,
)
from hearth_shared.messaging import Names
from hearth_shared.messaging.parking import Parked, list_parked
from hearth_testing.broker import checked, collect, drain, publish_event, watch
from hearth_testing.builders import person
from hearth_testing.fixtures import StartService
from hearth_testing.waiting import eventually

from .helpers import buy_tickets, schedule_gathering


async def _register(client: httpx.AsyncClient, gid: str, people: list[dict[str, str]]) -> list[str]:
    return [str(ticket["person_id"]) for ticket in await buy_tickets(client, gid, people)]


def zoom_report(maelle: str, devon: str, ines: str) -> str:
    """As Zoom exports it: BOM, local times, a row per join; rejoins, a second device, a guest
    with no ticket, and rows a person mistyped."""
    return (
        "\ufeffName (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        f"Maëlle,{maelle.upper()},03/11/2027 11:58:03 AM,03/11/2027 12:40:00 PM,42,No\n"
        f"Maëlle,{maelle},03/11/2027 12:45:00 PM,03/11/2027 01:30:00 PM,45,No\n"
        f"Devon,{devon},03/11/2027 12:00:00 PM,03/11/2027 01:00:00 PM,60,No\n"
        f"Devon (phone),{devon},03/11/2027 12:30:00 PM,03/11/2027 01:10:00 PM,40,No\n"
        "Walk-in guest,guest.nobody@example.org,03/11/2027 12:00:00 PM,03/11/2027 01:00:00 PM,60,Yes\n"
        f"Inès,{ines},03/11/2027 12:05:00 PM,not a time,55,No\n"
        "Someone,,03/11/2027 12:00:00 PM,03/11/2027 01:00:00 PM,60,Yes\n"
        f"Inès,{ines},03/11/2027 12:05:00 PM,03/11/2027 12:35:00 PM,30,No\n"
    )


async def test_a_platform_report_imports_good_rows_reports_bad_ones_and_publishes_minutes(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    registration = await start_service("registration")
    watcher = await watch(amqp, Names(name_prefix, "registration"), AttendanceRecorded)
    people = [person("fr"), person("en"), person("fr")]
    async with registration.client() as client:
        gid = await schedule_gathering(registration)  # 12:00–13:30 America/Halifax, 2027-03-11
        ids = await _register(client, gid, people)
        emails = [p["email"] for p in people]
        report = zoom_report(*emails)
        imported = await client.post(
            f"/gatherings/{gid}/attendance-imports",
            params={"filename": "zoom-participants.csv"},
            content=report.encode(),
            headers={"Content-Type": "text/csv"},
        )
        assert imported.status_code == 201, imported.text
        again = await client.post(f"/gatherings/{gid}/attendance-imports", content=report.encode())
        # The platform's corrected report: Inès stayed until 13:05.
        corrected = report.replace("03/11/2027 12:35:00 PM,30", "03/11/2027 01:05:00 PM,60")
        fixed = await client.post(f"/gatherings/{gid}/attendance-imports", content=corrected.encode())
        history = (await client.get(f"/gatherings/{gid}/attendance-imports")).json()
        records = (await client.get(f"/gatherings/{gid}/attendance")).json()

    result = imported.json()
    assert {r["email"]: r["minutes_attended"] for r in result["recorded"]} == {
        emails[0]: 86,  # 11:58:03–12:40 and 12:45–13:30
        emails[1]: 70,  # two devices, 12:00–13:10 once
        emails[2]: 30,  # the good one of Inès's two rows
    }
    assert [(e["line"], e["reason"]) for e in result["errors"]] == [
        (6, "no ticket holder has this email"),
        (7, "'not a time' is not a date and time this import reads"),
        (8, "no email: the person cannot be identified"),
    ]
    assert (result["rows_read"], result["people_recorded"]) == (8, 3)
    assert (again.json()["recorded"], again.json()["unchanged"]) == ([], 3)
    assert [(r["email"], r["revision"]) for r in fixed.json()["recorded"]] == [(emails[2], 2)]
    assert [h["filename"] for h in history] == [None, None, "zoom-participants.csv"]
    assert [e["line"] for e in history[2]["errors"]] == [6, 7, 8]
    assert {r["email"]: (r["minutes_attended"], r["revision"]) for r in records}[emails[2]] == (60, 2)

    published = checked(await collect(watcher, 4)) + checked(await drain(watcher))
    assert sorted((str(d.person_id), d.minutes_attended, d.revision) for _, d in published) == sorted(
        [(ids[0], 86, 1), (ids[1], 70, 1), (ids[2], 30, 1), (ids[2], 60, 2)]
    )
    revisions = {d.revision: d for _, d in published if str(d.person_id) == ids[2]}
    assert revisions[1].attendance_id == revisions[2].attendance_id
    assert revisions[2].attendee is not None
    assert revisions[2].attendee.language == "fr"


async def test_staff_check_in_and_reports_from_other_systems(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    registration = await start_service("registration")
    names = Names(name_prefix, "registration")
    watcher = await watch(amqp, names, AttendanceRecorded, FeedbackSubmitted, InterestExpressed)
    people = [person(), person(), person("fr")]
    outsider = person()
    async with registration.client() as client:
        gid = await schedule_gathering(registration)
        ids = await _register(client, gid, people)
        checked_in = (
            await client.post(f"/gatherings/{gid}/check-ins", json={"person_ids": [ids[0], ids[1], gid]})
        ).json()
        assert [r["minutes_attended"] for r in checked_in["recorded"]] == [90, 90]
        assert checked_in["errors"] == [
            {"line": None, "field": "person_ids.2", "person_id": gid, "email": None,
             "reason": "holds no ticket for this gathering"}
        ]  # fmt: skip

        # The video platform reports the third person, and someone with no ticket.
        for email, minutes in ((people[2]["email"], 64), (outsider["email"], 30)):
            report = AttendanceReported(
                gathering_id=gid, email=email, minutes_attended=minutes, reported_at=datetime.now(UTC)
            )
            await publish_event(amqp, names, new_event(report, source="/video-platform"))
        await eventually(lambda: client.get(f"/gatherings/{gid}/attendance"), lambda r: len(r.json()) >= 3)

        follow_up = [
            {"interest": "peer_supervision", "practice_area": "justice"},
            {"interest": "advocacy_campaign", "language": "en"},
        ]
        given = await client.post(
            f"/gatherings/{gid}/feedback",
            json={
                "email": people[2]["email"],
                "benefit_rating": 5,
                "comments": "Merci!",
                "follow_up": follow_up,
            },
        )
        twice = await client.post(
            f"/gatherings/{gid}/feedback", json={"email": people[2]["email"], "benefit_rating": 4}
        )
        absent = await client.post(
            f"/gatherings/{gid}/feedback", json={"email": outsider["email"], "benefit_rating": 3}
        )
        out_of_range = await client.post(
            f"/gatherings/{gid}/feedback", json={"email": people[0]["email"], "benefit_rating": 6}
        )

    assert given.status_code == 201, given.text
    assert (twice.status_code, absent.status_code) == (409, 409)
    assert absent.json()["errors"][0]["code"] == "not_an_attendee"
    assert (out_of_range.status_code, out_of_range.json()["errors"][0]["field"]) == (422, "benefit_rating")

    events = checked(await collect(watcher, 6))
    by_kind: dict[str, list[Any]] = {}
    for kind, data in events:
        by_kind.setdefault(kind, []).append(data)
    assert sorted(d.minutes_attended for d in by_kind["attendance_recorded"]) == [64, 90, 90]
    assert [d.benefit_rating for d in by_kind["feedback_submitted"]] == [5]
    assert sorted((d.interest, d.practice_area, d.language) for d in by_kind["interest_expressed"]) == [
        ("advocacy_campaign", None, "en"),
        ("peer_supervision", "justice", "fr"),  # the person's own language by default
    ]

    # The outsider's report is parked with its reason, for staff to see.
    # Only this test's outsider: other tests of the session park reports in the same queue.
    async def outsiders_parked() -> list[Parked]:
        return [p for p in await list_parked(amqp, names) if outsider["email"] in p.body]

    parked = await eventually(outsiders_parked)
    assert [(p.reason, p.handler) for p in parked] == [("unknown_attendee", "on_attendance_reported")]
    # The detail names the field, not the address (logs carry ids: issue 17); the body says who.
    assert "the reported email holds no ticket" in parked[0].detail
    assert outsider["email"] not in parked[0].detail
    assert outsider["email"] in parked[0].body
