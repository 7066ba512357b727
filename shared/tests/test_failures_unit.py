"""The parking format and the retry decision without a broker: which headers a failed message
carries onwards, where it goes next, and how a replay undoes parking. A fake publisher records
what would be published; that the broker routes it is shown by test_consuming.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import aio_pika
from aio_pika.abc import HeadersType
from prometheus_client import CollectorRegistry

from hearth_shared.messaging import PermanentFailure, SchemaViolation
from hearth_shared.messaging.failures import (
    ATTEMPT,
    ORIGINAL_ROUTING_KEY,
    PARKED_AT,
    PARKED_DETAIL,
    PARKED_HANDLER,
    PARKED_REASON,
    PARKED_SERVICE,
    Failures,
    Retry,
    describe,
    forwarded,
    handler_of,
    next_retry,
    parking_headers,
    replayed,
)
from hearth_shared.messaging.metrics import KitMetrics
from hearth_shared.messaging.publisher import Publisher
from hearth_shared.messaging.topology import Names

NAMES = Names("t1.", "credits")


@dataclass(frozen=True)
class Received:
    body: bytes = b'{"id": "e-1"}'
    headers: HeadersType = field(default_factory=dict)
    message_id: str | None = "e-1"
    correlation_id: str | None = "c-1"
    type: str | None = "org.hearth.registration.attendance_recorded.v1"
    content_type: str | None = "application/cloudevents+json"
    routing_key: str | None = "registration.attendance_recorded.v1"


@dataclass
class FakePublisher:
    sent: list[tuple[aio_pika.Message, str, str]] = field(default_factory=list)

    async def publish(self, message: aio_pika.Message, *, exchange: str, routing_key: str) -> None:
        self.sent.append((message, exchange, routing_key))


def failures(publisher: FakePublisher, delays_ms: list[int]) -> Failures:
    return Failures(
        cast(Publisher, publisher),
        names=NAMES,
        handler="on_attendance_recorded",
        delays_ms=delays_ms,
        metrics=KitMetrics(CollectorRegistry()),
    )


def test_parking_headers_say_why_where_and_when() -> None:
    at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    headers = parking_headers(
        reason="schema_violation", detail="x" * 5000, service="credits", handler="h", at=at
    )
    assert headers == {
        PARKED_REASON: "schema_violation",
        PARKED_DETAIL: "x" * 2000,
        PARKED_SERVICE: "credits",
        PARKED_HANDLER: "h",
        PARKED_AT: "2026-12-01T09:30:00+00:00",
    }
    assert all(name.startswith("x-hearth-parked-") for name in headers)


def test_a_forwarded_message_keeps_its_body_ids_and_first_routing_key() -> None:
    message = forwarded(Received(), {ATTEMPT: 1})
    assert (message.body, message.message_id, message.correlation_id) == (b'{"id": "e-1"}', "e-1", "c-1")
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert message.headers == {ATTEMPT: 1, ORIGINAL_ROUTING_KEY: "registration.attendance_recorded.v1"}
    retried = Received(headers=dict(message.headers), routing_key="250ms.credits.on_attendance_recorded")
    again = forwarded(retried, {ATTEMPT: 2})
    assert again.headers[ORIGINAL_ROUTING_KEY] == "registration.attendance_recorded.v1"
    assert again.headers[ATTEMPT] == 2


def test_each_retry_takes_the_next_delay_until_none_is_left() -> None:
    delays = [100, 1000]
    first = next_retry(Received(), delays, NAMES, "h")
    assert first == Retry(attempt=1, delay_ms=100, routing_key="100ms.credits.h")
    second = next_retry(Received(headers={ATTEMPT: 1}), delays, NAMES, "h")
    assert second == Retry(attempt=2, delay_ms=1000, routing_key="1000ms.credits.h")
    assert next_retry(Received(headers={ATTEMPT: 2}), delays, NAMES, "h") is None


def test_a_replayed_message_loses_what_parked_it_and_starts_its_attempts_again() -> None:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    headers: dict[str, Any] = {
        **parking_headers(reason="retries_exhausted", detail="d", service="credits", handler="h", at=at),
        ATTEMPT: 3,
        ORIGINAL_ROUTING_KEY: "registration.attendance_recorded.v1",
        "x-death": [{"queue": "t1.credits.h"}],
        "traceparent": "00-abc-def-01",
    }
    message = replayed(Received(headers=headers))
    assert message.headers == {
        ATTEMPT: 0,
        ORIGINAL_ROUTING_KEY: "registration.attendance_recorded.v1",
        "traceparent": "00-abc-def-01",
    }


def test_the_handler_of_a_parked_message_comes_from_its_header_or_the_brokers_record() -> None:
    assert handler_of(Received(headers={PARKED_HANDLER: "on_x"}), NAMES) == "on_x"
    by_broker = Received(headers={"x-death": [{"queue": "t1.other.on_y"}, {"queue": "t1.credits.on_y"}]})
    assert handler_of(by_broker, NAMES) == "on_y"
    assert handler_of(Received(), NAMES) is None


def test_a_message_the_broker_parked_is_described_as_past_its_delivery_limit() -> None:
    parked = describe(Received(body=b"y" * 5000, headers={"x-death": [{"queue": "t1.credits.on_y"}]}), NAMES)
    assert (parked.reason, parked.handler, parked.detail, parked.parked_at) == (
        "delivery_limit",
        "on_y",
        "",
        None,
    )
    assert parked.body == "y" * 4000


async def test_a_permanent_failure_parks_at_once_with_its_reason() -> None:
    publisher = FakePublisher()
    await failures(publisher, [100]).forward(Received(), SchemaViolation("data.email: Field required"))
    [(message, exchange, routing_key)] = publisher.sent
    assert (exchange, routing_key) == ("", "t1.credits.parking")
    assert message.headers[PARKED_REASON] == "schema_violation"
    assert message.headers[PARKED_DETAIL] == "data.email: Field required"
    assert message.headers[PARKED_HANDLER] == "on_attendance_recorded"


async def test_a_transient_failure_goes_to_its_delay_and_after_the_last_parks_as_retries_exhausted() -> None:
    publisher = FakePublisher()
    kit = failures(publisher, [100])
    await kit.forward(Received(), ConnectionError("database away"))
    await kit.forward(Received(headers={ATTEMPT: 1}), ConnectionError("database away"))
    (retry, delay_exchange, delay_key), (parked, _, parking) = publisher.sent
    assert (delay_exchange, delay_key) == ("t1.hearth.delay", "100ms.credits.on_attendance_recorded")
    assert retry.headers[ATTEMPT] == 1
    assert parking == "t1.credits.parking"
    assert parked.headers[PARKED_REASON] == "retries_exhausted"
    assert "after 2 attempts: ConnectionError('database away')" in str(parked.headers[PARKED_DETAIL])


async def test_a_services_own_permanent_failure_parks_under_its_reason() -> None:
    class UnknownPerson(PermanentFailure):
        reason = "unknown_person"

    publisher = FakePublisher()
    await failures(publisher, [100]).forward(Received(), UnknownPerson("no person with that email"))
    [(message, _, routing_key)] = publisher.sent
    assert routing_key == "t1.credits.parking"
    assert message.headers[PARKED_REASON] == "unknown_person"
