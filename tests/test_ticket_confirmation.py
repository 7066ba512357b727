"""The first slice, end to end: a ticket bought over HTTP becomes a confirmation email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import CloudEvent, new_event
from hearth_shared.contracts.catalogue import (
    Bilingual,
    Modality,
    PersonDetails,
    TicketPurchased,
)
from hearth_shared.messaging import Names
from hearth_testing.broker import publish_event
from hearth_testing.builders import gathering_scheduled, person, person_details, ticket_purchased
from hearth_testing.fixtures import StartService
from hearth_testing.smtp import SmtpSink
from hearth_testing.waiting import eventually

from .helpers import schedule_gathering


async def test_ticket_bought_over_http_is_confirmed_by_email_in_the_holders_language(
    start_service: StartService, smtp_sink: SmtpSink
) -> None:
    registration = await start_service("registration")
    notifications = await start_service("notifications", smtp_host="127.0.0.1", smtp_port=smtp_sink.port)
    gathering_id = await schedule_gathering(registration)
    francophone = person("fr")

    async with registration.client() as client:
        response = await client.post(
            f"/gatherings/{gathering_id}/tickets",
            json=francophone,
            headers={"Idempotency-Key": "k1"},
        )
    assert response.status_code == 201, response.text
    correlation_id = response.headers["X-Correlation-Id"]

    [email] = await smtp_sink.wait_for(francophone["email"])
    assert email["Subject"] == "Votre place est confirmée : Communauté de pratique trimestrielle"
    text = email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"Bonjour {francophone['name']}" in text
    # 16:00 UTC on 11 March 2027 is 12:00 in Halifax: still AST (UTC-4); DST starts 14 March.
    assert "jeudi 11 mars 2027" in text
    assert "12 h 00" in text
    assert "https://video.example.org/j/quarterly" in text
    assert email["X-Hearth-Correlation-Id"] == correlation_id

    # The same correlation id in both services' logs (the email may be read before the sender
    # has logged it, so wait for the line).
    await registration.wait_for_log(event="ticket purchased", correlation_id=correlation_id)
    await notifications.wait_for_log(event="email sent", correlation_id=correlation_id)


async def test_a_ticket_event_delivered_twice_sends_one_email(
    start_service: StartService,
    smtp_sink: SmtpSink,
    amqp: AbstractRobustConnection,
    name_prefix: str,
) -> None:
    notifications = await start_service("notifications", smtp_host="127.0.0.1", smtp_port=smtp_sink.port)
    names = Names(name_prefix, "registration")
    twice, marker = ticket_event(person_details("en")), ticket_event(person_details("fr"))

    await publish_event(amqp, names, twice)
    await publish_event(amqp, names, twice)  # same message id: a redelivery, as after a crash
    await publish_event(amqp, names, marker)
    await smtp_sink.wait_for(marker.data.attendee.email)
    await publish_event(amqp, names, twice)  # and once more after everything settled
    await publish_event(amqp, names, marker)
    settled = ticket_event(person_details("en"))  # once it is mailed, the copies before it were consumed
    await publish_event(amqp, names, settled)
    await smtp_sink.wait_for(settled.data.attendee.email)

    async with notifications.client() as client:
        pending = {"status": "pending"}
        await eventually(
            lambda: client.get("/deliveries", params=pending), lambda r: r.json() == [], timeout=10
        )
        log = (await client.get("/deliveries", params={"to": twice.data.attendee.email})).json()
    assert len(smtp_sink.to(twice.data.attendee.email)) == 1
    assert [d["status"] for d in log] == ["sent"]
    assert len(smtp_sink.to(marker.data.attendee.email)) == 1


def ticket_event(who: PersonDetails) -> CloudEvent[TicketPurchased]:
    """A ticket to an evening in London, as registration publishes it."""
    starts = datetime(2027, 6, 2, 17, 0, tzinfo=UTC)
    evening = gathering_scheduled(
        starts,
        "Europe/London",
        title=Bilingual(en="Networking evening", fr="Soirée de réseautage"),
        modality=Modality.IN_PERSON,
        ends_at=starts + timedelta(hours=3, minutes=30),
        venue="London",
    )
    return new_event(ticket_purchased(evening, who), source="/hearth/registration")
