"""Parked messages of every service, read and replayed on the broker with the messaging kit's
parking tools (the same the command line uses). Bodies stay as text for the page to escape."""

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
