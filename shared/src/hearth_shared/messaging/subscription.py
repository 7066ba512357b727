"""Subscribing to a handler queue with aio-pika: a channel of its own with bounded prefetch,
`consume`, `cancel` and `resume` while the database is away, and on shutdown `cancel` and close.

aio-pika directly, not FastStream: FastStream's per-message pipeline alone tops out at about a
third of aio-pika's rate on our 2-core machine (docs/benchmarks.md), below what credits must drain.
Cancelling and closing are bounded and never raise: a broker that is gone cannot answer, and
redelivers what was not acknowledged anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection

BROKER_TIMEOUT = 5.0  # seconds to wait for the broker to answer a cancel or a close


class Subscription:
    def __init__(self, queue: str, *, prefetch: int) -> None:
        self.queue = queue
        self._prefetch = prefetch
        self._channel: AbstractChannel | None = None
        self._consumer_tag: str | None = None
        self._on_delivery: Callable[[AbstractIncomingMessage], Awaitable[None]] | None = None

    async def start(
        self,
        connection: AbstractRobustConnection,
        on_delivery: Callable[[AbstractIncomingMessage], Awaitable[None]],
    ) -> None:
        self._channel = await connection.channel()
        await self._channel.set_qos(prefetch_count=self._prefetch)
        self._on_delivery = on_delivery
        await self.resume()

    async def resume(self) -> None:
        """Receive (again, after `cancel`) on the same channel."""
        if self._channel is None or self._on_delivery is None or self._consumer_tag is not None:
            return
        queue = await self._channel.get_queue(self.queue, ensure=False)
        self._consumer_tag = await queue.consume(self._on_delivery)

    async def cancel(self) -> None:
        """Stop receiving (deliveries already received stay ours to settle)."""
        if self._channel is None or self._consumer_tag is None:
            return
        tag, self._consumer_tag = self._consumer_tag, None
        with contextlib.suppress(Exception):  # includes a broker that is not there to answer
            async with asyncio.timeout(BROKER_TIMEOUT):
                queue = await self._channel.get_queue(self.queue, ensure=False)
                await queue.cancel(tag)

    async def close(self) -> None:
        if self._channel is None:
            return
        with contextlib.suppress(Exception):
            async with asyncio.timeout(BROKER_TIMEOUT):
                await self._channel.close()
