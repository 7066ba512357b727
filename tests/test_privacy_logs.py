"""Logs carry ids, not personal data: a service's log output during flows that involve an email —
staff searching by it, another system reporting attendance for it (parked: no ticket) — never
contains the email, nor does the HTTP access line of a search by it (the kit drops query strings)."""

from __future__ import annotations

from datetime import UTC, datetime

from aio_pika.abc import AbstractRobustConnection

from hearth_notifications.domain.sending import without_address
from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import AttendanceReported
from hearth_shared.messaging import Names
from hearth_shared.messaging.parking import list_parked
from hearth_testing.broker import publish_event
from hearth_testing.builders import person
from hearth_testing.fixtures import StartService
from hearth_testing.waiting import eventually

from .helpers import buy_tickets, schedule_gathering


async def test_registration_logs_name_the_field_not_the_email(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    registration = await start_service("registration")
    names = Names(name_prefix, "registration")
    holder, stranger = person(), person()
    async with registration.client() as client:
        gid = await schedule_gathering(registration)
        await buy_tickets(client, gid, [holder])
        found = await client.get(f"/gatherings/{gid}/registrants", params={"q": holder["email"]})
        assert [h["email"] for h in found.json()] == [holder["email"]]
        report = AttendanceReported(
            gathering_id=gid, email=stranger["email"], minutes_attended=30, reported_at=datetime.now(UTC)
        )
        await publish_event(amqp, names, new_event(report, source="/video-platform"))
        await registration.wait_for_log(timeout=30, event="message parked")
        parked = await eventually(
            lambda: list_parked(amqp, names), lambda found: any(gid in m.detail for m in found), timeout=10
        )
    [message] = [m for m in parked if gid in m.detail]
    assert message.reason == "unknown_attendee"
    assert "the reported email holds no ticket" in message.detail
    text = registration.log_path.read_text()
    for email in (holder["email"], stranger["email"]):
        assert email.split("@")[0] not in message.detail
        # Searched for, reported: not in any line but the HTTP access line (below).
        lines = [line for line in text.splitlines() if email.split("@")[0] in line]
        assert [line for line in lines if '"GET /gatherings/' not in line] == []


async def test_a_search_by_email_leaves_no_email_in_the_access_log(start_service: StartService) -> None:
    registration = await start_service("registration")
    holder = person()
    async with registration.client() as client:
        gid = await schedule_gathering(registration)
        await buy_tickets(client, gid, [holder])
        found = await client.get(f"/gatherings/{gid}/registrants", params={"q": holder["email"]})
        assert [h["email"] for h in found.json()] == [holder["email"]]
    await registration.wait_for_log(timeout=30, level="info")
    assert holder["email"].split("@")[0] not in registration.log_path.read_text()


def test_a_refusal_is_logged_without_the_address_it_quotes() -> None:
    reason = "recipient refused: 550 5.1.1 <Sam.Roy@Example.org>: Recipient address rejected"
    assert without_address(reason, "sam.roy@example.org") == (
        "recipient refused: 550 5.1.1 <<to_address>>: Recipient address rejected"
    )
    assert without_address("SMTP 421: try later", "sam.roy@example.org") == "SMTP 421: try later"
