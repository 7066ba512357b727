"""Privacy scans of the broker: which of the queues Hearth declares hold a message naming someone.

The queues come from the kit's own declaration list (`declared_names`: every service's parking,
retry and handler queues and the shared unrouted queue), plus the unbounded `hearth.unrouted`
queue of old, so that one left on a broker would be read too. A queue that does not exist (a
service that never ran under this prefix) is passed over and reported as not read.

Reading is get-and-requeue: the messages stay, but each is delivered once more, which a handler
queue's delivery limit counts — scan a settled topology, not one under load.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiormq
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from hearth_shared.messaging import Names
from hearth_shared.messaging.topology import declared_names

from .fixtures import TEST_RETRY_DELAYS, handlers_under_test


def hearth_queues(name_prefix: str, retry_delays: list[float] = TEST_RETRY_DELAYS) -> list[str]:
    """Every queue a Hearth service declares under `name_prefix` (and the old unrouted queue)."""
    found: set[str] = set()
    for service, handler_names in handlers_under_test().items():
        names = Names(name_prefix, service)
        queues, _ = declared_names(names, handler_names, retry_delays)
        found.update([*queues, names.unrouted])
    return sorted(found)


@dataclass(frozen=True)
class QueueScan:
    """The queues that exist and were read, and those of them holding the needle."""

    read: list[str]
    holding: list[str]


async def scan_queues(amqp: AbstractRobustConnection, queues: list[str], needle: str) -> QueueScan:
    """Read every message of each of `queues` (body and headers, case-insensitively), leave it in
    place, and say which queues hold `needle`."""
    read, holding = [], []
    for name in queues:
        channel = await amqp.channel()
        try:
            queue = await channel.declare_queue(name, passive=True)
            taken = []
            while (message := await queue.get(no_ack=False, fail=False)) is not None:
                taken.append(message)
            read.append(name)
            if any(
                needle.lower() in (m.body.decode(errors="replace") + str(m.headers)).lower() for m in taken
            ):
                holding.append(name)
            for message in taken:
                await message.nack(requeue=True)
        except aiormq.exceptions.ChannelNotFoundEntity:
            pass  # not declared under this prefix
        finally:
            if not channel.is_closed:
                await channel.close()
    return QueueScan(read, holding)


def _names(message: AbstractIncomingMessage, needle: str) -> bool:
    return needle.lower() in (message.body.decode(errors="replace") + str(message.headers)).lower()


async def queue_hits(amqp: AbstractRobustConnection, name_prefix: str, needle: str) -> list[str]:
    """The queues Hearth declares under `name_prefix` that hold a message naming `needle`."""
    return (await scan_queues(amqp, hearth_queues(name_prefix), needle)).holding
