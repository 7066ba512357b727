"""Erasure in notifications, on the real broker, database and an SMTP server: the delivery log
keeps what was sent and when, not to whom or what; a later event for the erased person id (a
replay), or one dated before the request for an id notifications had not met yet (a late one),
writes no email and brings no recipient back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import CloudEvent, EventData, new_event
from hearth_shared.contracts.catalogue import PersonErasureRequested
from hearth_shared.messaging import Names
from hearth_testing.broker import publish_event
from hearth_testing.builders import gathering_scheduled, person_details, ticket_purchased
from hearth_testing.fixtures import StartService
from hearth_testing.infra import TestDatabase
from hearth_testing.smtp import SmtpSink
from hearth_testing.waiting import eventually


def _event(data: EventData, at: datetime | None = None) -> CloudEvent[Any]:
    event = new_event(data, source="/hearth/registration")
    return event if at is None else event.model_copy(update={"time": at})


async def test_erasure_blanks_deliveries_and_no_later_event_brings_the_person_back(
    start_service: StartService,
    amqp: AbstractRobustConnection,
    name_prefix: str,
    smtp_sink: SmtpSink,
    database: TestDatabase,
) -> None:
    notifications = await start_service("notifications", smtp_port=smtp_sink.port)
    names = Names(name_prefix, "registration")
    g = gathering_scheduled(capacity=40)
    erased, late, witness = person_details(), person_details(), person_details()
    await publish_event(amqp, names, _event(g))
    await publish_event(amqp, names, _event(ticket_purchased(g, erased)))
    await smtp_sink.wait_for(str(erased.email))
    before = datetime.now(UTC)
    for who in (erased, late):
        request = PersonErasureRequested(email=str(who.email).upper(), requested_at=datetime.now(UTC))
        await publish_event(amqp, Names(name_prefix, "gateway"), _event(request))
    async with notifications.client() as client:
        await eventually(
            lambda: client.get("/deliveries", params={"person_id": str(erased.person_id)}),
            lambda r: [d["to_address"] for d in r.json()] == ["erased"],
        )
        # A replay of a purchase for the erased id; a purchase dated before the request, for an id
        # notifications meets only now; then someone else's, to know the queue got that far.
        await publish_event(amqp, names, _event(ticket_purchased(g, erased)))
        await publish_event(amqp, names, _event(ticket_purchased(g, late), at=before - timedelta(seconds=1)))
        await publish_event(amqp, names, _event(ticket_purchased(g, witness)))
        await smtp_sink.wait_for(str(witness.email))
        logged = [
            (await client.get("/deliveries", params={"person_id": str(p.person_id)})).json()
            for p in (erased, late)
        ]
    assert [len(entries) for entries in logged] == [1, 0]
    entry = logged[0][0]
    assert (entry["status"], entry["template"], entry["to_address"]) == (
        "sent",
        "ticket_confirmation",
        "erased",
    )
    conn = await database.connect("notifications")
    try:
        recipients = await conn.fetch("SELECT * FROM recipients")
        deliveries = await conn.fetch("SELECT to_address, subject, body_text, body_html FROM deliveries")
    finally:
        await conn.close()
    for text in (str(erased.email), erased.name, str(late.email), late.name):
        assert text not in str(recipients) + str(deliveries)
    assert str(witness.email) in str(recipients)
