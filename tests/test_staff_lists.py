"""The lists the staff pages page through, on real services: registration, credits and notifications
filter, count and page them (`limit`, `offset`, `X-Total-Count`) so the gateway never fetches a whole list; a
gathering's figures without listing anyone; a person's tickets with attendance, and certificates
with their revoked state."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    CreditPolicy,
    GatheringScheduled,
    PersonErasureRequested,
)
from hearth_shared.messaging import Names
from hearth_testing.broker import checked, collect, publish_event, watch
from hearth_testing.builders import gathering_scheduled, person, person_details, ticket_purchased
from hearth_testing.fixtures import StartService
from hearth_testing.smtp import SmtpSink
from hearth_testing.waiting import eventually

from .helpers import buy_tickets, schedule_gathering


async def _listed(client: httpx.AsyncClient, path: str, **params: Any) -> tuple[list[Any], int]:
    answer = await client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json(), int(answer.headers["x-total-count"])


async def test_registrants_are_filtered_counted_and_paged_by_registration(
    start_service: StartService,
) -> None:
    registration = await start_service("registration")
    gid = await schedule_gathering(registration)
    async with registration.client() as client:
        tickets = await buy_tickets(client, gid, [person(), person(), person()])
        breakout = (
            await client.post(
                f"/gatherings/{gid}/breakouts",
                json={"name": {"en": "French", "fr": "Français"}, "language": "fr", "capacity": 5},
            )
        ).json()
        moved = await client.post(
            f"/tickets/{tickets[0]['id']}/breakout", json={"breakout_id": breakout["id"]}
        )
        assert moved.status_code == 200, moved.text
        checked = await client.post(
            f"/gatherings/{gid}/check-ins", json={"person_ids": [tickets[1]["person_id"]]}
        )
        assert checked.status_code == 200, checked.text
        path = f"/gatherings/{gid}/registrants"

        first, total = await _listed(client, path, limit=2)
        second, _ = await _listed(client, path, limit=2, offset=2)
        present, present_total = await _listed(client, path, checked_in="true")
        absent, _ = await _listed(client, path, checked_in="false")
        in_french, _ = await _listed(client, path, breakout=breakout["id"])
        in_none, none_total = await _listed(client, path, breakout="none")
        figures = (await client.get(f"/gatherings/{gid}/figures")).json()
        other = await schedule_gathering(registration)
        both = (await client.get("/gathering-figures", params={"gathering_id": [gid, other]})).json()
        gatherings, gathering_total = await _listed(client, "/gatherings", limit=1, offset=0)

    assert total == 3
    assert [r["ticket_id"] for r in first + second] == [t["id"] for t in tickets]  # oldest first, no overlap
    assert (present_total, [r["person_id"] for r in present]) == (1, [tickets[1]["person_id"]])
    assert present[0]["checked_in"] is True
    assert {r["person_id"] for r in absent} == {tickets[0]["person_id"], tickets[2]["person_id"]}
    assert [r["ticket_id"] for r in in_french] == [tickets[0]["id"]]
    assert none_total == 2
    assert tickets[0]["id"] not in {r["ticket_id"] for r in in_none}
    expected = {"registered": 3, "present": 1, "waiting": 0, "feedback": 0, "average_rating": None}
    assert figures == {"gathering_id": gid} | expected
    assert both == [figures, {"gathering_id": other} | dict.fromkeys(expected, 0) | {"average_rating": None}]
    assert len(gatherings) == 1
    assert gathering_total >= 1


async def test_a_person_s_tickets_carry_their_attendance(start_service: StartService) -> None:
    registration = await start_service("registration")
    earlier = await schedule_gathering(registration, starts_at="2027-01-05T16:00:00+00:00",
                                       ends_at="2027-01-05T17:30:00+00:00")  # fmt: skip
    later = await schedule_gathering(registration)
    someone = person("fr")
    async with registration.client() as client:
        [first] = await buy_tickets(client, earlier, [someone])
        await buy_tickets(client, later, [someone])
        await client.post(f"/gatherings/{earlier}/check-ins", json={"person_ids": [first["person_id"]]})
        pid = first["person_id"]
        tickets, total = await _listed(client, f"/people/{pid}/tickets")
        page, _ = await _listed(client, f"/people/{pid}/tickets", limit=1, offset=1)
        details = (await client.get(f"/people/{pid}")).json()
        unknown = await client.get(f"/people/{uuid.uuid4()}")

    assert total == 2
    assert [t["gathering_id"] for t in tickets] == [later, earlier]  # the latest gathering first
    assert tickets[0]["attendance"] is None
    assert tickets[1]["attendance"]["minutes_attended"] == 90
    assert tickets[1]["attendance"]["source"] == "check_in"
    assert tickets[1]["gathering_title"]["fr"]
    assert [t["gathering_id"] for t in page] == [earlier]
    assert (details["name"], details["email"], details["preferred_language"]) == (
        someone["name"], someone["email"], "fr",
    )  # fmt: skip
    assert unknown.status_code == 404


def _credited(g: GatheringScheduled, who: Any, minutes: int, revision: int, attendance: uuid.UUID) -> Any:
    return AttendanceRecorded(
        attendance_id=attendance, gathering_id=g.gathering_id, person_id=who.person_id,
        minutes_attended=minutes, revision=revision, attendee=who,
    )  # fmt: skip


async def test_a_person_s_certificates_list_valid_and_revoked_and_self_reports_page(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    credits = await start_service("credits")
    names = Names(name_prefix, "credits")
    policy = CreditPolicy(
        hours=Decimal("1.5"), minimum_attendance_fraction=Decimal("0.5"), category="community_of_practice"
    )
    first, second = gathering_scheduled(credit_policy=policy), gathering_scheduled(credit_policy=policy)
    who = person_details()
    corrected = uuid.uuid4()
    for event in (first, second, _credited(first, who, 90, 1, corrected)):
        await publish_event(amqp, names, new_event(event, source="/hearth/registration"))
    path = f"/people/{who.person_id}/certificates"
    async with credits.client() as client:
        await eventually(lambda: client.get(path), lambda r: len(r.json()) == 1, timeout=20)
        await publish_event(amqp, names, new_event(_credited(first, who, 10, 2, corrected), source="/x"))
        await publish_event(amqp, names, new_event(_credited(second, who, 90, 1, uuid.uuid4()), source="/x"))
        await eventually(lambda: client.get(path), lambda r: len(r.json()) == 2, timeout=20)
        await eventually(
            lambda: client.get(path), lambda r: sorted(c["status"] for c in r.json()) == ["revoked", "valid"]
        )
        held, total = await _listed(client, path)
        newest, _ = await _listed(client, path, limit=1)
        for title in ("Course A", "Course B", "Course C"):
            report = {"title": title, "category": "formal_learning", "hours": "2",
                      "activity_date": "2026-11-02", "evidence": "a certificate"}  # fmt: skip
            made = await client.post(f"/people/{who.person_id}/self-reports", json=report)
            assert made.status_code == 201, made.text
        mine = str(who.person_id)
        reports, reports_total = await _listed(
            client, "/self-reports", status="any", person_id=mine, limit=2, newest_first="true"
        )
        pending, _ = await _listed(client, "/self-reports", limit=1, offset=2, person_id=mine)

    assert total == 2
    by_activity = {c["activity_id"]: c for c in held}
    assert by_activity[str(first.gathering_id)]["status"] == "revoked"
    assert by_activity[str(first.gathering_id)]["revoked_reason"]
    assert by_activity[str(second.gathering_id)]["status"] == "valid"
    assert by_activity[str(second.gathering_id)]["title"]["en"] == second.title.en
    assert newest == [held[0]]
    assert (reports_total, [r["title"] for r in reports]) == (3, ["Course C", "Course B"])
    assert [r["title"] for r in pending] == ["Course C"]


async def test_a_check_in_is_undone_as_the_next_revision_and_names_who_undid_it(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    registration = await start_service("registration")
    watcher = await watch(amqp, Names(name_prefix, "registration"), AttendanceRecorded)
    gid = await schedule_gathering(registration)
    door = uuid.uuid4()
    async with registration.client(role="check_in", staff_id=door) as client:
        async with registration.client() as coordinator:
            [ticket] = await buy_tickets(coordinator, gid, [person()])
        pid = ticket["person_id"]
        await client.post(f"/gatherings/{gid}/check-ins", json={"person_ids": [pid]})
        undone = await client.post(f"/gatherings/{gid}/check-ins/{pid}/undo")
        figures = (await client.get(f"/gatherings/{gid}/figures")).json()
        listed, _ = await _listed(client, f"/gatherings/{gid}/registrants", checked_in="false")
        again = await client.post(f"/gatherings/{gid}/check-ins/{pid}/undo")
        await client.post(f"/gatherings/{gid}/check-ins", json={"person_ids": [pid]})
        nobody = await client.post(f"/gatherings/{gid}/check-ins/{uuid.uuid4()}/undo")
    async with registration.client(role="viewer") as viewer:
        refused = await viewer.post(f"/gatherings/{gid}/check-ins/{pid}/undo")
    published = [data for _, data in checked(await collect(watcher, 3))]

    assert undone.status_code == 200, undone.text
    assert undone.json() == {"person_id": pid, "minutes_attended": 0, "revision": 2, "recorded_by": str(door)}
    assert figures["present"] == 0
    assert [r["person_id"] for r in listed] == [pid]
    assert again.status_code == 404  # nothing left to undo
    assert nobody.status_code == 404
    assert refused.status_code == 403
    assert [(e.minutes_attended, e.revision) for e in published] == [(90, 1), (0, 2), (90, 3)]


async def test_credits_counts_who_is_behind_for_the_cycle(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    credits = await start_service("credits", cycle_required_hours="2")
    names = Names(name_prefix, "credits")
    policy = CreditPolicy(
        hours=Decimal("1.5"), minimum_attendance_fraction=Decimal("0.5"), category="community_of_practice"
    )
    # A cycle of its own (the session's other tests credit 2026-2027); everyone else credits knows
    # has nothing in it, so is behind.
    when = datetime(2031, 6, 1, 16, tzinfo=UTC)
    first, second = (gathering_scheduled(when, credit_policy=policy) for _ in range(2))
    ahead, behind = person_details(), person_details()
    attended = [(first, ahead), (second, ahead), (first, behind)]
    events = [first, second, *(_credited(g, who, 90, 1, uuid.uuid4()) for g, who in attended)]
    for event in events:
        await publish_event(amqp, names, new_event(event, source="/hearth/registration"))
    async with credits.client(role="viewer") as client:
        await eventually(
            lambda: client.get(f"/people/{behind.person_id}/ledger"), lambda r: len(r.json()) == 1, timeout=20
        )
        await eventually(
            lambda: client.get(f"/people/{ahead.person_id}/ledger"), lambda r: len(r.json()) == 2, timeout=20
        )
        summary = (await client.get("/progress/summary", params={"cycle": "2031-2032"})).json()
    async with credits.client(role="check_in") as door:
        refused = await door.get("/progress/summary")

    assert (summary["cycle"], summary["required"]) == ("2031-2032", "2")
    assert summary["done"] == 1  # `ahead`: 3 hours; `behind` has 1.5
    assert summary["people"] >= 2
    assert summary["behind"] == summary["people"] - 1
    assert refused.status_code == 403


async def test_the_delivery_log_is_counted_and_paged_by_notifications(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str, smtp_sink: SmtpSink
) -> None:
    notifications = await start_service("notifications", smtp_port=smtp_sink.port)
    who = person_details()
    for _ in range(3):
        event = new_event(ticket_purchased(gathering_scheduled(), who), source="/hearth/registration")
        await publish_event(amqp, Names(name_prefix, "registration"), event)
    mine = {"to": str(who.email), "template": "ticket_confirmation"}
    async with notifications.client(role="viewer") as client:
        await eventually(
            lambda: client.get("/deliveries", params=mine), lambda r: len(r.json()) == 3, timeout=20
        )
        first, total = await _listed(client, "/deliveries", limit=2, **mine)
        rest, rest_total = await _listed(client, "/deliveries", limit=2, offset=2, **mine)
        whole, _ = await _listed(client, "/deliveries", **mine)

    assert (total, rest_total) == (3, 3)
    assert [d["id"] for d in first + rest] == [d["id"] for d in whole]  # newest first, no overlap
    assert len(rest) == 1


async def test_confirmations_are_resent_in_bulk_by_ticket(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str, smtp_sink: SmtpSink
) -> None:
    notifications = await start_service("notifications", smtp_port=smtp_sink.port)
    g = gathering_scheduled()
    bought = [ticket_purchased(g, person_details()) for _ in range(2)]
    for data in bought:
        await publish_event(
            amqp, Names(name_prefix, "registration"), new_event(data, source="/hearth/registration")
        )
    first = {"to": str(bought[0].attendee.email), "template": "ticket_confirmation"}
    async with notifications.client(role="coordinator") as client:
        for data in bought:  # both tickets known to notifications before asking for resends
            shown = {"to": str(data.attendee.email), "template": "ticket_confirmation"}
            await eventually(
                lambda p=shown: client.get("/deliveries", params=p), lambda r: len(r.json()) == 1, timeout=20
            )
        unknown = uuid.uuid4()
        body = {"ticket_ids": [str(t.ticket_id) for t in bought] + [str(unknown)]}
        resent = await client.post("/deliveries/resend", json=body)
        log, total = await _listed(client, "/deliveries", **first)
        empty = await client.post("/deliveries/resend", json={"ticket_ids": []})

    assert resent.status_code == 201, resent.text
    assert resent.json() == {"resent": 2, "skipped": [str(unknown)]}
    assert total == 2  # the first confirmation and its resend, a new entry
    assert log[0]["source_event_id"].startswith("resend:")
    assert log[0]["subject"] == log[1]["subject"]
    assert empty.status_code == 422


async def test_the_delivery_log_says_when_a_person_was_erased(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str, smtp_sink: SmtpSink
) -> None:
    notifications = await start_service("notifications", smtp_port=smtp_sink.port)
    erased, kept = person_details(), person_details()
    for who in (erased, kept):
        event = new_event(ticket_purchased(gathering_scheduled(), who), source="/hearth/registration")
        await publish_event(amqp, Names(name_prefix, "registration"), event)
    async with notifications.client(role="viewer") as client:
        for who in (erased, kept):
            await eventually(
                lambda w=who: client.get("/deliveries", params={"person_id": str(w.person_id)}),
                lambda r: len(r.json()) == 1,
                timeout=20,
            )
        request = PersonErasureRequested(email=erased.email, requested_at=datetime.now(UTC))
        await publish_event(amqp, Names(name_prefix, "gateway"), new_event(request, source="/hearth/gateway"))
        [gone] = (
            await eventually(
                lambda: client.get("/deliveries", params={"person_id": str(erased.person_id)}),
                lambda r: r.json()[0]["to_address"] == "erased",
                timeout=20,
            )
        ).json()
        [still] = (await client.get("/deliveries", params={"person_id": str(kept.person_id)})).json()
        one = (await client.get(f"/deliveries/{gone['id']}")).json()

    assert gone["erased_at"] is not None
    assert datetime.fromisoformat(gone["erased_at"]) <= datetime.now(UTC)
    assert one["erased_at"] == gone["erased_at"]
    assert (still["to_address"], still["erased_at"]) == (str(kept.email), None)
