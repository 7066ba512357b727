"""Parked messages of every service, read and replayed on the broker with the messaging kit's
parking tools (the same the command line uses), or discarded. Bodies stay as text for the page
to escape."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from aio_pika.exceptions import ChannelNotFoundEntity

from hearth_shared.messaging import Names
from hearth_shared.messaging.failures import describe
from hearth_shared.messaging.parking import Parked, replay


@dataclass(frozen=True)
class ParkedIn:
    service: str
    message: Parked


@dataclass(frozen=True)
class ParkedEverywhere:
    messages: list[ParkedIn]
    unreachable: list[str]  # services whose parking queue is not declared (not deployed yet)


async def _listed(connection: AbstractRobustConnection, names: Names) -> list[Parked]:
    """Every parked message, left in place. As the kit's `list_parked`, but delivered to a consumer
    with a prefetch as large as the queue instead of one `basic.get` round trip per message (the
    parked page's cost at a hundred messages)."""
    channel = await connection.channel()
    taken: list[AbstractIncomingMessage] = []
    try:
        queue = await channel.declare_queue(names.parking_queue, passive=True)
        waiting = queue.declaration_result.message_count or 0
        if waiting:
            await channel.set_qos(prefetch_count=waiting)
            async with queue.iterator() as messages:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(5):
                        async for message in messages:
                            taken.append(message)
                            if len(taken) == waiting:
                                break
        return [describe(m, names) for m in taken]
    finally:
        for message in taken:
            await message.nack(requeue=True)
        if not channel.is_closed:
            await channel.close()


async def list_everywhere(
    connection: AbstractRobustConnection, prefix: str, services: list[str]
) -> ParkedEverywhere:
    """Every service's parked messages, the services read at the same time."""

    async def of(service: str) -> list[ParkedIn] | None:
        try:
            return [ParkedIn(service, m) for m in await _listed(connection, Names(prefix, service))]
        except ChannelNotFoundEntity:
            return None  # its parking queue is not declared: not deployed yet

    found = await asyncio.gather(*(of(s) for s in services))
    messages = [m for each in found if each for m in each]
    return ParkedEverywhere(messages, [s for s, each in zip(services, found, strict=True) if each is None])


async def count_everywhere(
    connection: AbstractRobustConnection, prefix: str, services: list[str]
) -> dict[str, int]:
    """How many messages each service has parked (those whose parking queue exists), as the broker
    counts them: nothing is taken off the queues."""

    async def count(service: str) -> int | None:
        channel = await connection.channel()
        try:
            queue = await channel.declare_queue(Names(prefix, service).parking_queue, passive=True)
            return queue.declaration_result.message_count or 0
        except ChannelNotFoundEntity:
            return None
        finally:
            if not channel.is_closed:
                await channel.close()

    counted = await asyncio.gather(*(count(s) for s in services))
    return {s: n for s, n in zip(services, counted, strict=True) if n is not None}


async def replay_one(
    connection: AbstractRobustConnection, prefix: str, service: str, message_id: str | None
) -> list[Parked]:
    return await replay(connection, Names(prefix, service), message_id)


async def discard(connection: AbstractRobustConnection, prefix: str, service: str, message_id: str) -> bool:
    """Remove one parked message for good (the caller audits why); the others stay parked.
    As the kit's tools do: take every message unsettled, then settle each."""
    channel = await connection.channel()
    try:
        queue = await channel.get_queue(Names(prefix, service).parking_queue, ensure=False)
        taken = []
        while (message := await queue.get(no_ack=False, fail=False)) is not None:
            taken.append(message)
        found = False
        for message in taken:
            if not found and message.message_id == message_id:
                await message.ack()
                found = True
            else:
                await message.nack(requeue=True)
        return found
    finally:
        await channel.close()
