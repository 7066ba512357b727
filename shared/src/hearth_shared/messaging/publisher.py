"""Publishing with publisher confirms and mandatory routing: the one way the kit puts a message
on the broker (outbox relay, parking, retries). A message the broker cannot route raises instead
of vanishing; a publish returns only once the broker has confirmed it."""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection

from ..tracing import sending


class Publisher:
    def __init__(self, channel: AbstractChannel, *, timeout: float = 10.0) -> None:
        self._channel = channel
        self._timeout = timeout
        self._exchanges: dict[str, AbstractExchange] = {}

    @classmethod
    async def open(cls, connection: AbstractRobustConnection) -> Publisher:
        return cls(await connection.channel(publisher_confirms=True, on_return_raises=True))

    async def publish(self, message: aio_pika.Message, *, exchange: str, routing_key: str) -> None:
        """Publish and wait for the broker's confirm (`exchange=""` is the default exchange)."""
        if exchange not in self._exchanges:
            self._exchanges[exchange] = (
                self._channel.default_exchange
                if exchange == ""
                else await self._channel.get_exchange(exchange, ensure=False)
            )
        with sending(message.body, message.headers, exchange=exchange, routing_key=routing_key):
            await self._exchanges[exchange].publish(
                message, routing_key=routing_key, mandatory=True, timeout=self._timeout
            )
