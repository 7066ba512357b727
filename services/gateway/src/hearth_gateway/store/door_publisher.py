"""The door's way onto the broker: the kit's `Publisher` (confirms, mandatory) on one channel of
the gateway's connection, reopened after a failure. A publish returns only once the broker has
confirmed every event; otherwise the sender hears 503 (the broker is unreachable or did not confirm)
or 429 (too many requests are already waiting for confirms) with a `Retry-After`, and sends again:
a repeat of a `(source, id)` changes nothing downstream."""

from __future__ import annotations

import asyncio

import aio_pika
from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import CONTENT_TYPE
from hearth_shared.messaging import ServiceRuntime
from hearth_shared.messaging.publisher import Publisher

from ..domain.cloudevents import Accepted, Refusal

SYSTEM_HEADER = "x-hearth-system"  # which registered system sent it through the door
BROKER_RETRY_SECONDS = 5
BUSY_RETRY_SECONDS = 1


class DoorPublisher:
    def __init__(self, runtime: ServiceRuntime, *, max_in_flight: int = 64, timeout: float = 10.0) -> None:
        self._runtime = runtime
        self._max_in_flight = max_in_flight
        self._timeout = timeout
        self._in_flight = 0
        self._publisher: Publisher | None = None
        self._opened_on: AbstractRobustConnection | None = None
        self._opening = asyncio.Lock()

    async def _open(self) -> Publisher:
        connection = self._runtime.connection
        if connection is None or connection.is_closed:
            raise Refusal(
                503, "broker_unavailable", "Hearth cannot reach its broker", retry_after=BROKER_RETRY_SECONDS
            )
        async with self._opening:
            if self._publisher is None or self._opened_on is not connection:
                channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
                self._publisher = Publisher(channel, timeout=self._timeout)
                self._opened_on = connection
            return self._publisher

    async def publish(self, events: list[Accepted], system: str) -> None:
        """All of `events`, confirmed, or a `Refusal` (503 / 429) — then perhaps some were published:
        the sender's retry repeats them, which consumers ignore."""
        if self._in_flight >= self._max_in_flight:
            raise Refusal(
                429, "busy", "too many events are waiting for the broker", retry_after=BUSY_RETRY_SECONDS
            )
        self._in_flight += 1
        try:
            publisher = await self._open()
            exchange = self._runtime.names.events_exchange
            await asyncio.gather(
                *(
                    publisher.publish(_message(e, system), exchange=exchange, routing_key=e.routing_key)
                    for e in events
                )
            )
        except Refusal:
            raise
        except Exception as exc:  # a closed channel, a nack, a timeout: not confirmed
            self._publisher = None
            raise Refusal(
                503,
                "broker_unavailable",
                "the broker did not confirm the events",
                retry_after=BROKER_RETRY_SECONDS,
            ) from exc
        finally:
            self._in_flight -= 1


def _message(accepted: Accepted, system: str) -> aio_pika.Message:
    """As the outbox relay sends Hearth's own events (docs/events.md), naming the sending system."""
    event = accepted.event
    return aio_pika.Message(
        accepted.body,
        message_id=event.id,
        correlation_id=event.correlationid,
        type=event.type,
        content_type=CONTENT_TYPE,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers={SYSTEM_HEADER: system},
    )
