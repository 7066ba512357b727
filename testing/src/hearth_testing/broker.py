"""Watching the events exchange from a test, as one more consumer would."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aio_pika
from aio_pika.abc import AbstractQueue, AbstractRobustConnection

from hearth_shared.contracts import CATALOGUE, CloudEvent, EventData
from hearth_shared.messaging.topology import Names, events_exchange_arguments

from .waiting import eventually


async def watch(amqp: AbstractRobustConnection, names: Names, *event_types: type[EventData]) -> AbstractQueue:
    """A private queue bound to the given events (declaring the exchange as Hearth does)."""
    channel = await amqp.channel()
    exchange = await channel.declare_exchange(
        names.events_exchange,
        aio_pika.ExchangeType.TOPIC,
        durable=True,
        arguments=events_exchange_arguments(names),
    )
    queue = await channel.declare_queue(exclusive=True)
    for event_type in event_types:
        await queue.bind(exchange, event_type.routing_key())
    return queue


async def collect(queue: AbstractQueue, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Read `count` messages as parsed CloudEvents (with the AMQP message id beside them)."""
    found: list[dict[str, Any]] = []

    async def read() -> list[dict[str, Any]]:
        while len(found) < count and (message := await queue.get(fail=False, no_ack=True)) is not None:
            found.append(json.loads(message.body) | {"_message_id": message.message_id})
        return found

    return await eventually(read, lambda got: len(got) >= count, timeout=timeout, interval=0.05)


def checked(events: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Each event validated against its contract; (short type, data model)."""
    return [(e["type"].split(".")[-2], CATALOGUE[e["type"]].model_validate(e["data"])) for e in events]


async def drain(queue: AbstractQueue, quiet: float = 1.0) -> list[dict[str, Any]]:
    """Whatever else arrives until the queue has been quiet for `quiet` seconds."""
    found: list[dict[str, Any]] = []
    idle = 0.0
    while idle < quiet:
        message = await queue.get(fail=False, no_ack=True)
        if message is None:
            await asyncio.sleep(0.1)
            idle += 0.1
        else:
            found.append(json.loads(message.body))
            idle = 0.0
    return found


async def publish_event(amqp: AbstractRobustConnection, names: Names, event: CloudEvent[Any]) -> None:
    """Publish as an outside system would: persistent, message id = event id, by routing key."""
    async with amqp.channel() as channel:
        exchange = await channel.get_exchange(names.events_exchange)
        await exchange.publish(
            aio_pika.Message(
                event.model_dump_json().encode(),
                message_id=event.id,
                correlation_id=event.correlationid,
                type=event.type,
                content_type="application/cloudevents+json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=event.data.routing_key(),
        )
