"""What staff change carries who changed it: the staff member the gateway's service token named
(an attendance import; a self-report's decision, in the log line)."""

from __future__ import annotations

import uuid

from hearth_testing.builders import person
from hearth_testing.fixtures import StartService

from .helpers import schedule_gathering


async def test_a_self_report_s_decision_is_logged_with_the_staff_member(start_service: StartService) -> None:
    credits = await start_service("credits")
    coordinator = uuid.uuid4()
    report = dict(title="Supervision", category="formal_learning", hours="3", evidence="Certificate 88")
    report["activity_date"] = "2027-02-02"
    async with credits.client("coordinator", staff_id=coordinator) as client:
        made = (await client.post(f"/people/{uuid.uuid4()}/self-reports", json=report)).json()
        decided = await client.post(f"/self-reports/{made['id']}/decision", json={"approved": True})

    assert decided.status_code == 200, decided.text
    line = await credits.wait_for_log(event="self-report decided", report_id=made["id"])
    assert (line["staff_id"], line["role"], line["status"]) == (str(coordinator), "coordinator", "approved")


async def test_an_attendance_import_records_the_staff_member(start_service: StartService) -> None:
    registration = await start_service("registration")
    at_the_door = uuid.uuid4()
    gid = await schedule_gathering(registration)
    guest = person()
    report = (
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        f"{guest['name']},{guest['email']},03/11/2027 12:00:00 PM,03/11/2027 01:00:00 PM,60,No\n"
    )
    async with registration.client("check_in", staff_id=at_the_door) as client:
        imported = await client.post(f"/gatherings/{gid}/attendance-imports", content=report.encode())
        history = (await client.get(f"/gatherings/{gid}/attendance-imports")).json()

    assert imported.status_code == 201, imported.text
    assert imported.json()["imported_by"] == str(at_the_door)
    assert [h["imported_by"] for h in history] == [str(at_the_door)]
