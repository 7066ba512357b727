"""The broker topology on the real broker: queues that dead-letter do so at least once, the
unrouted queue is bounded, and a broker holding the queues of an older Hearth still declares.

A queue's arguments are proven by declaring it again: RabbitMQ accepts a declaration only with
exactly the arguments the queue has (PRECONDITION_FAILED otherwise)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import aiormq
import pytest
from aio_pika.abc import AbstractRobustConnection

from hearth_shared.messaging import Names
from hearth_shared.messaging.topology import (
    AT_LEAST_ONCE,
    KEEP,
    UNROUTED_BOUNDS,
    declare_service,
    declared_names,
    delays_ms,
    delete_names,
)

DELAYS = [0.25]
LIMIT = 3


@pytest.fixture
async def names(amqp: AbstractRobustConnection, name_prefix: str) -> AsyncIterator[Names]:
    """A service of its own (and its own prefix, so the shared unrouted queue is its own too)."""
    names = Names(f"{name_prefix}topo{uuid.uuid4().hex[:6]}.", "kittest")
    yield names
    queues, exchanges = declared_names(names, ["on_thing"], DELAYS)
    await delete_names(amqp, queues, exchanges)


async def declare(amqp: AbstractRobustConnection, names: Names) -> None:
    async with amqp.channel() as channel:
        await declare_service(
            channel,
            names,
            handlers={"on_thing": ["thing.happened.v1"]},
            retry_delays=DELAYS,
            delivery_limit=LIMIT,
        )


async def has_arguments(amqp: AbstractRobustConnection, queue: str, arguments: dict[str, Any]) -> bool:
    channel = await amqp.channel()
    try:
        await channel.declare_queue(queue, durable=True, arguments={"x-queue-type": "quorum", **arguments})
    except aiormq.exceptions.ChannelPreconditionFailed:
        return False
    await channel.close()
    return True


def handler_arguments(names: Names) -> dict[str, Any]:
    return {
        "x-delivery-limit": LIMIT,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": names.parking_queue,
    }


def retry_arguments(names: Names) -> dict[str, Any]:
    return {"x-message-ttl": delays_ms(DELAYS)[0], "x-dead-letter-exchange": names.redeliver_exchange}


async def test_every_queue_that_dead_letters_does_so_at_least_once(
    amqp: AbstractRobustConnection, names: Names
) -> None:
    await declare(amqp, names)
    handler, retry = names.handler_queue("on_thing"), names.retry_queue(delays_ms(DELAYS)[0])
    assert await has_arguments(amqp, handler, {**handler_arguments(names), **AT_LEAST_ONCE})
    assert await has_arguments(amqp, retry, {**retry_arguments(names), **AT_LEAST_ONCE})
    assert not await has_arguments(amqp, handler, handler_arguments(names))  # at most once, as before


async def test_the_queues_of_an_older_hearth_still_declare_and_the_old_unrouted_queue_is_deleted(
    amqp: AbstractRobustConnection, names: Names
) -> None:
    """As declared before issue 15: the handler and retry queues without a dead-letter strategy,
    `hearth.unrouted` unbounded behind the alternate exchange, holding an event: dead topology
    (nothing routes to it once the bounded queue is there), kept forever and out of erasure's reach."""
    async with amqp.channel() as channel:
        await channel.declare_queue(
            names.handler_queue("on_thing"),
            durable=True,
            arguments={"x-queue-type": "quorum", **handler_arguments(names)},
        )
        await channel.declare_queue(
            names.retry_queue(delays_ms(DELAYS)[0]),
            durable=True,
            arguments={"x-queue-type": "quorum", **retry_arguments(names)},
        )
        unrouted = await channel.declare_exchange(names.unrouted, aio_pika.ExchangeType.FANOUT, durable=True)
        old = await channel.declare_queue(
            names.unrouted, durable=True, arguments={"x-queue-type": "quorum", **KEEP}
        )
        await old.bind(unrouted)
        await unrouted.publish(aio_pika.Message(b'{"email": "kept.forever@example.org"}'), routing_key="")

    await declare(amqp, names)  # does not fail

    assert await has_arguments(amqp, names.handler_queue("on_thing"), handler_arguments(names))
    async with amqp.channel() as channel:
        exchange = await channel.get_exchange(names.events_exchange)
        await exchange.publish(aio_pika.Message(b"{}", message_id="nobody"), routing_key="nobody.listens.v1")
        recent = await channel.get_queue(names.unrouted_queue)
        message = await recent.get(timeout=5, no_ack=True)
        assert message is not None
        assert message.message_id == "nobody"
    channel = await amqp.channel()
    with pytest.raises(aiormq.exceptions.ChannelNotFoundEntity):
        await channel.declare_queue(names.unrouted, passive=True)
    await declare(amqp, names)  # and a later start, with no old queue left, declares as well


async def test_the_unrouted_queue_keeps_only_the_latest_events_for_a_week(
    amqp: AbstractRobustConnection, names: Names
) -> None:
    await declare(amqp, names)
    bounds = {**KEEP, **UNROUTED_BOUNDS}
    assert bounds["x-overflow"] == "drop-head"
    assert bounds["x-max-length"] == 100_000
    assert bounds["x-message-ttl"] == 7 * 24 * 3600 * 1000
    assert await has_arguments(amqp, names.unrouted_queue, bounds)
