"""Seeing and replaying parked messages.

A message parks with headers saying why (`x-hearth-parked-*`) or, when the broker's delivery limit
parked it, with the broker's `x-death` record. Replaying sends it back to the handler queue it
came from, through the redeliver exchange, with its attempt count reset — for after the cause
(a sender's bug, a missing record) is fixed. Command line:

    python -m hearth_shared.messaging.parking list registration
    python -m hearth_shared.messaging.parking replay registration [--id MESSAGE_ID]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import asdict, dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from ..settings import ServiceSettings
from .consumer import ATTEMPT, PARKED_AT, PARKED_DETAIL, PARKED_HANDLER, PARKED_REASON
from .publisher import Publisher
from .topology import Names


@dataclass(frozen=True)
class Parked:
    message_id: str | None
    event_type: str | None
    handler: str | None
    reason: str
    detail: str
    parked_at: str | None
    body: str


def _handler_of(message: AbstractIncomingMessage, names: Names) -> str | None:
    headers = message.headers or {}
    if PARKED_HANDLER in headers:
        return str(headers[PARKED_HANDLER])
    deaths = headers.get("x-death")  # parked by the broker's delivery limit
    for death in deaths if isinstance(deaths, list) else []:
        queue = str(death.get("queue", "")) if isinstance(death, dict) else ""
        if queue.startswith(f"{names.prefix}{names.service}."):
            return queue.removeprefix(f"{names.prefix}{names.service}.")
    return None


def _describe(message: AbstractIncomingMessage, names: Names) -> Parked:
    headers = message.headers or {}
    reason = str(headers.get(PARKED_REASON) or "delivery_limit")
    return Parked(
        message_id=message.message_id,
        event_type=message.type,
        handler=_handler_of(message, names),
        reason=reason,
        detail=str(headers.get(PARKED_DETAIL, "")),
        parked_at=str(headers[PARKED_AT]) if PARKED_AT in headers else None,
        body=message.body.decode(errors="replace")[:4000],
    )


async def _take_all(
    connection: AbstractRobustConnection, names: Names
) -> tuple[Any, list[AbstractIncomingMessage]]:
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
        return [_describe(m, names) for m in taken]
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
            handler = _handler_of(message, names)
            if handler is None or (message_id is not None and message.message_id != message_id):
                await message.nack(requeue=True)
                continue
            headers = {
                k: v for k, v in (message.headers or {}).items() if not k.startswith("x-hearth-parked")
            }
            headers.pop("x-death", None)
            headers[ATTEMPT] = 0
            await publisher.publish(
                aio_pika.Message(
                    message.body,
                    headers=headers,
                    message_id=message.message_id,
                    correlation_id=message.correlation_id,
                    type=message.type,
                    content_type=message.content_type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                exchange=names.redeliver_exchange,
                routing_key=f"replay.{names.handler_key(handler)}",
            )
            await message.ack()
            replayed.append(_describe(message, names))
    finally:
        await channel.close()
    return replayed


async def _main(command: str, service: str, message_id: str | None) -> None:
    settings = ServiceSettings()
    connection = await aio_pika.connect_robust(settings.amqp_url)
    names = Names(settings.name_prefix, service)
    try:
        found = await (
            list_parked(connection, names) if command == "list" else replay(connection, names, message_id)
        )
        print(json.dumps([asdict(p) for p in found], indent=2, ensure_ascii=False))
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["list", "replay"])
    parser.add_argument("service")
    parser.add_argument("--id", dest="message_id")
    args = parser.parse_args()
    asyncio.run(_main(args.command, args.service, args.message_id))


if __name__ == "__main__":
    main()
