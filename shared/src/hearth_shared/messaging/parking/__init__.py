"""Seeing and replaying a service's parked messages (the library; the command line is
`python -m hearth_shared.messaging.parking`, in `__main__`).

Replaying is for after the cause (a sender's bug, a missing record) is fixed: each message goes back
to the handler queue it came from. What the headers mean, and how a replayed message is built,
is `messaging.failures`. Erasure re-parks each message that names the person without their
details (`redact`), and does the same in the unrouted queue.
"""

from __future__ import annotations

from aio_pika.abc import (
    AbstractChannel,
    AbstractConnection,
    AbstractIncomingMessage,
    AbstractRobustConnection,
)

from ..failures import Parked, describe, handler_of, publish_replay, rewritten
from ..publisher import Publisher
from ..redaction import Erased, redact_body, redact_text
from ..topology import Names

__all__ = ["Parked", "list_parked", "redact", "replay"]


async def _take_all(
    connection: AbstractConnection, names: Names, queue_name: str | None = None
) -> tuple[AbstractChannel, list[AbstractIncomingMessage]]:
    """Every message in the parking queue (or `queue_name`), received and not yet settled."""
    channel = await connection.channel()
    queue = await channel.get_queue(queue_name or names.parking_queue, ensure=False)
    taken = []
    while (message := await queue.get(no_ack=False, fail=False)) is not None:
        taken.append(message)
    return channel, taken


async def list_parked(connection: AbstractRobustConnection, names: Names) -> list[Parked]:
    """Every parked message of the service, left in place."""
    channel, taken = await _take_all(connection, names)
    try:
        return [describe(m, names) for m in taken]
    finally:
        for message in taken:
            await message.nack(requeue=True)
        await channel.close()


async def replay(
    connection: AbstractRobustConnection, names: Names, message_id: str | None = None
) -> list[Parked]:
    """Send parked messages (all, or the one with `message_id`) back to their handler queues."""
    publisher = await Publisher.open(connection)
    channel, taken = await _take_all(connection, names)
    replayed = []
    try:
        for message in taken:
            handler = handler_of(message, names)
            if handler is None or (message_id is not None and message.message_id != message_id):
                await message.nack(requeue=True)
                continue
            await publish_replay(publisher, names, message, handler)
            await message.ack()
            replayed.append(describe(message, names))
    finally:
        await channel.close()
    return replayed


async def redact(
    connection: AbstractConnection, names: Names, who: Erased, queue_name: str | None = None
) -> int:
    """Re-park every message of the parking queue (or `queue_name`: the unrouted one) that names
    `who`, its body and headers without their details and its parking reason kept: the rewritten
    copy is confirmed before the original is acknowledged, so a crash leaves a copy too many,
    never none. Returns how many were rewritten."""
    queue_name = queue_name or names.parking_queue
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    publisher = Publisher(channel)
    taken_from, taken = await _take_all(connection, names, queue_name)
    rewrote = 0
    try:
        for message in taken:
            headers = {k: redact_text(v, who) for k, v in (message.headers or {}).items()}
            body = redact_body(message.body, who)
            if body is None and headers == (message.headers or {}):
                await message.nack(requeue=True)
                continue
            copy = rewritten(message, message.body if body is None else body, headers)
            await publisher.publish(copy, exchange="", routing_key=queue_name)
            await message.ack()
            rewrote += 1
    finally:
        await taken_from.close()
        await channel.close()
    return rewrote
