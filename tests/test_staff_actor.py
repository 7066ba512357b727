"""What staff change carries who changed it: the staff member the gateway's service token named,
stored with the row and read back from the database by a later request (gatherings, series,
breakouts, tickets; self-report decisions; groups, proposals and memberships; resends)."""

from __future__ import annotations

import uuid

from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import new_event
from hearth_shared.messaging import Names
from hearth_testing.broker import publish_event
from hearth_testing.builders import (
    gathering_body,
    gathering_scheduled,
    person,
    person_details,
    ticket_purchased,
)
from hearth_testing.fixtures import StartService
from hearth_testing.infra import TestDatabase
from hearth_testing.smtp import SmtpSink
from hearth_testing.waiting import eventually

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


async def test_a_self_report_records_who_entered_it_and_who_decided(start_service: StartService) -> None:
    credits = await start_service("credits")
    entering, deciding, member = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    report = dict(
        title="Reading", category="self_directed", hours="2", evidence="Notes", activity_date="2027-02-02"
    )
    async with credits.client("coordinator", staff_id=entering) as client:
        made = (await client.post(f"/people/{member}/self-reports", json=report)).json()
    async with credits.client("admin", staff_id=deciding) as client:
        decided = await client.post(
            f"/self-reports/{made['id']}/decision", json={"approved": False, "reason": "No date"}
        )
    async with credits.client("viewer") as client:
        stored = (
            await client.get("/self-reports", params={"status": "any", "person_id": str(member)})
        ).json()

    assert (made["submitted_by"], made["decided_by"]) == (str(entering), None)
    assert decided.json()["decided_by"] == str(deciding)
    assert [(r["submitted_by"], r["decided_by"], r["status"]) for r in stored] == [
        (str(entering), str(deciding), "rejected")
    ]


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


async def test_gatherings_series_and_breakouts_record_who_made_and_changed_them(
    start_service: StartService,
) -> None:
    registration = await start_service("registration")
    planner, editor, closer = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with registration.client("coordinator", staff_id=planner) as client:
        series = await client.post(
            "/series", json={"title": {"en": "Noon", "fr": "Midi"}, "cadence": "monthly"}
        )
        made = await client.post("/gatherings", json=gathering_body(series_id=series.json()["id"]))
        gid = made.json()["id"]
        breakout = await client.post(
            f"/gatherings/{gid}/breakouts",
            json={"name": {"en": "French", "fr": "Français"}, "language": "fr", "capacity": 10},
        )
    async with registration.client("admin", staff_id=editor) as client:
        changed = await client.patch(f"/gatherings/{gid}", json={"capacity": 60})
    async with registration.client("coordinator", staff_id=closer) as client:
        closed = await client.post(f"/gatherings/{gid}/status", json={"status": "closed"})
    async with registration.client("viewer") as client:
        stored = (await client.get(f"/gatherings/{gid}")).json()
        stored_series = (await client.get(f"/series/{series.json()['id']}")).json()
        stored_breakouts = (await client.get(f"/gatherings/{gid}/breakouts")).json()

    assert (made.json()["created_by"], made.json()["updated_by"]) == (str(planner), None)
    assert changed.json()["updated_by"] == str(editor)
    assert closed.json()["updated_by"] == str(closer)
    assert (stored["created_by"], stored["updated_by"]) == (str(planner), str(closer))
    assert series.json()["created_by"] == stored_series["created_by"] == str(planner)
    assert breakout.json()["created_by"] == str(planner)
    assert [b["created_by"] for b in stored_breakouts] == [str(planner)]


async def test_a_gathering_s_cancellation_records_the_staff_member(start_service: StartService) -> None:
    registration = await start_service("registration")
    canceller = uuid.uuid4()
    gid = await schedule_gathering(registration)
    async with registration.client("coordinator", staff_id=canceller) as client:
        cancelled = await client.post(
            f"/gatherings/{gid}/status", json={"status": "cancelled", "reason": "Storm"}
        )
        stored = (await client.get(f"/gatherings/{gid}")).json()

    assert cancelled.status_code == 200, cancelled.text
    assert (stored["status"], stored["updated_by"]) == ("cancelled", str(canceller))


async def test_staff_moving_and_cancelling_a_ticket_are_recorded_and_its_holder_s_are_not(
    start_service: StartService,
) -> None:
    registration = await start_service("registration")
    mover, canceller = uuid.uuid4(), uuid.uuid4()
    gid = await schedule_gathering(registration)
    async with registration.client() as client:
        rooms = [
            (
                await client.post(
                    f"/gatherings/{gid}/breakouts", json={"name": {"en": n, "fr": n}, "capacity": 5}
                )
            ).json()
            for n in ("A", "B")
        ]
        first, second = [
            (await client.post(f"/gatherings/{gid}/tickets", json=person())).json()["ticket"]
            for _ in range(2)
        ]
    async with registration.client("coordinator", staff_id=mover) as client:
        moved = await client.post(f"/tickets/{first['id']}/breakout", json={"breakout_id": rooms[1]["id"]})
    async with registration.client("admin", staff_id=canceller) as client:
        cancelled = await client.post(f"/tickets/{first['id']}/cancel")
    async with registration.client("public") as holder:
        own_move = await holder.post(
            f"/tickets/{second['id']}/breakout", json={"breakout_id": rooms[0]["id"]}
        )
        own_cancel = await holder.post(f"/tickets/{second['id']}/cancel")
    async with registration.client("viewer") as client:
        stored = (await client.get(f"/tickets/{first['id']}")).json()

    assert moved.json()["breakout_moved_by"] == str(mover)
    assert cancelled.json()["cancelled_by"] == str(canceller)
    assert (stored["breakout_moved_by"], stored["cancelled_by"]) == (str(mover), str(canceller))
    assert own_move.status_code == own_cancel.status_code == 200, own_cancel.text
    assert (own_move.json()["breakout_moved_by"], own_cancel.json()["cancelled_by"]) == (None, None)


def _member(person_id: uuid.UUID | str) -> dict[str, str]:
    """Headers for the public flow acting for a signed-in member (groups' client with role=None)."""
    return {"X-Hearth-Role": "member", "X-Hearth-Person": str(person_id)}


async def test_a_proposal_records_who_asked_edited_and_published_it(start_service: StartService) -> None:
    groups = await start_service("groups")
    asking, editing, publishing = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    # Peer support for work with older adults: no other test's pool (they share one database).
    wanted = {"kind": "peer_support", "practice_area": "older_adults"}
    async with groups.client(role=None) as people:
        for person_id in [uuid.uuid4() for _ in range(6)]:
            body = {"person_id": str(person_id), **wanted, "language": "en"}
            assert (await people.post("/interests", json=body, headers=_member(person_id))).status_code == 201
    async with groups.client("coordinator", staff_id=asking) as client:
        asked = (await client.post("/proposals", json=wanted)).json()
    first = asked["groups"][0]["person_ids"][0]
    async with groups.client("admin", staff_id=editing) as client:
        out = await client.post(
            f"/proposals/{asked['id']}/moves", json={"person_id": first, "to_group": None}
        )
        back = await client.post(f"/proposals/{asked['id']}/moves", json={"person_id": first, "to_group": 0})
    async with groups.client("coordinator", staff_id=publishing) as client:
        formed = await client.post(f"/proposals/{asked['id']}/publish")
        stored = (await client.get(f"/proposals/{asked['id']}")).json()
        group = (await client.get(f"/groups/{formed.json()[0]['id']}")).json()
    async with groups.client(role=None) as people:
        seen_by_member = (await people.get(f"/groups/{group['id']}", headers=_member(first))).json()

    assert (asked["created_by"], asked["edited_by"], asked["published_by"]) == (str(asking), None, None)
    assert out.json()["edited_by"] == back.json()["edited_by"] == str(editing)
    assert formed.status_code == 200, formed.text
    assert [g["created_by"] for g in formed.json()] == [str(publishing)]
    assert (stored["created_by"], stored["edited_by"], stored["published_by"]) == (
        str(asking),
        str(editing),
        str(publishing),
    )
    assert group["created_by"] == str(publishing)
    assert seen_by_member["created_by"] is None  # staff ids are for staff


async def test_groups_formed_and_memberships_decided_by_staff_record_them(
    start_service: StartService, database: TestDatabase
) -> None:
    groups = await start_service("groups")
    former, approver = uuid.uuid4(), uuid.uuid4()
    founders, asker, invitee = [uuid.uuid4() for _ in range(4)], uuid.uuid4(), uuid.uuid4()
    body = {"kind": "peer_support", "language": "en", "member_ids": [str(m) for m in founders]}
    async with groups.client("coordinator", staff_id=former) as client:
        formed = (await client.post("/groups", json=body)).json()
    gid = formed["id"]
    async with groups.client(role=None) as people:
        asked = await people.post(f"/groups/{gid}/join", headers=_member(asker))
    async with groups.client("admin", staff_id=approver) as client:
        approved = await client.post(f"/groups/{gid}/requests/{asker}/approve")
        invited = await client.post(f"/groups/{gid}/invitations", json={"person_id": str(invitee)})
        listed = (await client.get("/groups", params={"kind": "peer_support"})).json()
    conn = await database.connect("groups")
    try:
        rows = await conn.fetch(
            "SELECT person_id, status, changed_by FROM memberships WHERE group_id = $1", gid
        )
    finally:
        await conn.close()

    assert formed["created_by"] == str(former)
    assert [g["created_by"] for g in listed if g["id"] == gid] == [str(former)]
    assert (asked.json()["place"], asked.json()["changed_by"]) == ("requested", None)
    assert (approved.json()["place"], approved.json()["changed_by"]) == ("member", str(approver))
    assert (invited.json()["place"], invited.json()["changed_by"]) == ("invited", str(approver))
    assert {(r["person_id"], r["status"], r["changed_by"]) for r in rows} == {
        *((m, "member", former) for m in founders),
        (asker, "member", approver),
        (invitee, "invited", approver),
    }


async def test_resends_record_the_staff_member_who_asked(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str, smtp_sink: SmtpSink
) -> None:
    notifications = await start_service("notifications", smtp_port=smtp_sink.port)
    one_by_one, in_bulk = uuid.uuid4(), uuid.uuid4()
    bought = ticket_purchased(gathering_scheduled(), person_details())
    await publish_event(
        amqp, Names(name_prefix, "registration"), new_event(bought, source="/hearth/registration")
    )
    mine = {"to": str(bought.attendee.email), "template": "ticket_confirmation"}
    async with notifications.client("viewer") as client:
        [first] = (
            await eventually(
                lambda: client.get("/deliveries", params=mine), lambda r: len(r.json()) == 1, timeout=20
            )
        ).json()
    async with notifications.client("coordinator", staff_id=one_by_one) as client:
        again = await client.post(f"/deliveries/{first['id']}/resend")
    async with notifications.client("admin", staff_id=in_bulk) as client:
        bulk = await client.post("/deliveries/resend", json={"ticket_ids": [str(bought.ticket_id)]})
    async with notifications.client("viewer") as client:
        log = (await client.get("/deliveries", params=mine)).json()

    assert again.status_code == 201, again.text
    assert again.json()["resent_by"] == str(one_by_one)
    assert bulk.json() == {"resent": 1, "skipped": []}
    assert sorted((d["id"] == first["id"], d["resent_by"]) for d in log) == sorted(
        [(True, None), (False, str(one_by_one)), (False, str(in_bulk))]
    )
