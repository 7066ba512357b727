"""Subscribing to a handler queue with aio-pika: a channel of its own with bounded prefetch,
`consume`, `cancel` and `resume` while the database is away, and on shutdown `cancel` and close.

aio-pika directly, not FastStream: FastStream's per-message pipeline alone tops out at about a
third of aio-pika's rate on our 2-core machine (docs/benchmarks.md), below what credits must drain.
Cancelling and closing are bounded and never raise: a broker that is gone cannot answer, and
redelivers what was not acknowledged anyway.

A subscription starts **cautious**, with a prefetch of 1, and widens to its full prefetch at the
first delivery that is not a redelivery. After a crash the broker redelivers what the process held
and charges each a delivery; taken one at a time, a message that crashes the process again is the
only one held when it does, so only it is charged. A redelivery seen while wide (another replica
crashed, the broker restarted) makes it cautious again. Prefetch applies to a consumer when it
starts, so changing it means consuming again on the same channel (what was received stays ours).

The queue object is the channel's own (a passive `declare_queue`, kept for the subscription's
life): aio-pika's robust channel restores, after a reconnection, only the consumers of the queues
it keeps, and a queue from `get_queue(ensure=False)` it does not keep — with one, a broker restart
left the service with its channel back and no consumer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue, AbstractRobustConnection

BROKER_TIMEOUT = 5.0  # seconds to wait for the broker to answer a cancel or a close


class Subscription:
    def __init__(self, queue: str, *, prefetch: int) -> None:
        self.queue = queue
        self._prefetch = prefetch
        self._channel: AbstractChannel | None = None
        self._queue: AbstractQueue | None = None
        self._consumer_tag: str | None = None
        self._on_delivery: Callable[[AbstractIncomingMessage], Awaitable[None]] | None = None
        self._receiving = False  # what the owner wants: between `resume` and `cancel`
        self.cautious = True  # what is wanted: prefetch 1 (True) or the full prefetch
        self._applied_caution: bool | None = None  # what the channel has
        self._adjusting: asyncio.Task[None] | None = None

    async def start(
        self,
        connection: AbstractRobustConnection,
        on_delivery: Callable[[AbstractIncomingMessage], Awaitable[None]],
    ) -> None:
        self._channel = await connection.channel()
        self._queue = await self._channel.declare_queue(self.queue, passive=True)
        self._on_delivery = on_delivery
        await self._set_prefetch()
        await self.resume()

    async def resume(self) -> None:
        """Receive (again, after `cancel`) on the same channel."""
        self._receiving = True
        await self._consume()

    async def cancel(self) -> None:
        """Stop receiving (deliveries already received stay ours to settle)."""
        self._receiving = False
        await self._stop_consuming()

    def want_caution(self, cautious: bool) -> None:
        """Ask for prefetch 1 (`cautious`) or the full prefetch; applied in the background."""
        self.cautious = cautious
        if self._applied_caution != cautious and (self._adjusting is None or self._adjusting.done()):
            self._adjusting = asyncio.create_task(self._adjust())

    async def _adjust(self) -> None:
        with contextlib.suppress(Exception):  # a channel gone is reopened cautious anyway
            while self._applied_caution != self.cautious:
                await self._set_prefetch()
                if self._consumer_tag is not None:  # receiving: consume again to take it
                    await self._stop_consuming()
                    await self._consume()

    async def _set_prefetch(self) -> None:
        assert self._channel is not None
        cautious = self.cautious
        await self._channel.set_qos(prefetch_count=1 if cautious else self._prefetch)
        self._applied_caution = cautious

    async def _consume(self) -> None:
        if self._queue is None or self._on_delivery is None or self._consumer_tag is not None:
            return
        if self._receiving:
            self._consumer_tag = await self._queue.consume(self._on_delivery)
            if not self._receiving:  # cancelled while the consume was on its way
                await self._stop_consuming()

    async def _stop_consuming(self) -> None:
        if self._queue is None or self._consumer_tag is None:
            return
        tag, self._consumer_tag = self._consumer_tag, None
        with contextlib.suppress(Exception):  # includes a broker that is not there to answer
            async with asyncio.timeout(BROKER_TIMEOUT):
                await self._queue.cancel(tag)

    async def close(self) -> None:
        if self._adjusting is not None:
            self._adjusting.cancel()
        if self._channel is None:
            return
        with contextlib.suppress(Exception):
            async with asyncio.timeout(BROKER_TIMEOUT):
                await self._channel.close()
