"""Parked messages of every service, read and replayed on the broker with the messaging kit's
parking tools (the same the command line uses), or discarded. Bodies stay as text for the page
to escape."""

from __future__ import annotations

from dataclasses import dataclass

from aio_pika.abc import AbstractRobustConnection
from aio_pika.exceptions import ChannelNotFoundEntity

from hearth_shared.messaging import Names
from hearth_shared.messaging.parking import Parked, list_parked, replay


@dataclass(frozen=True)
class ParkedIn:
    service: str
    message: Parked


@dataclass(frozen=True)
class ParkedEverywhere:
    messages: list[ParkedIn]
    unreachable: list[str]  # services whose parking queue is not declared (not deployed yet)


async def list_everywhere(
    connection: AbstractRobustConnection, prefix: str, services: list[str]
) -> ParkedEverywhere:
    found: list[ParkedIn] = []
    missing: list[str] = []
    for service in services:
        try:
            found += [ParkedIn(service, m) for m in await list_parked(connection, Names(prefix, service))]
        except ChannelNotFoundEntity:
            missing.append(service)
    return ParkedEverywhere(found, missing)


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
