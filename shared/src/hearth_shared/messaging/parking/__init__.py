"""Seeing and replaying a service's parked messages (the library; the command line is
`python -m hearth_shared.messaging.parking`, in `__main__`).

Replaying is for after the cause (a sender's bug, a missing record) is fixed: each message goes back
to the handler queue it came from. What the headers mean, and how a replayed message is built,
is `messaging.failures`.
"""

from __future__ import annotations

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection

from ..failures import Parked, describe, handler_of, publish_replay
from ..publisher import Publisher
from ..topology import Names

__all__ = ["Parked", "list_parked", "replay"]


async def _take_all(
    connection: AbstractRobustConnection, names: Names
) -> tuple[AbstractChannel, list[AbstractIncomingMessage]]:
    """Every message in the parking queue, received and not yet settled."""
    channel = await connection.channel()
    queue = await channel.get_queue(names.parking_queue, ensure=False)
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
