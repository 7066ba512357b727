"""One handler's consumer: idempotent, batched consumption with classified failures.

It composes the pieces, each in its own module: `subscription` receives deliveries; each is parsed
(`parsing`; a bad body parks at once) and queued in delivery order; `batching` forms runs of
consecutive deliveries (a redelivery alone, so a message that crashed the process is charged by
itself if it does it again); `applying` applies each in one transaction with the `inbox`, the handler and
the outbox; `batching` settles each batch after the one before it, with one `multiple` ack; and
`failures` sends what failed to a delay queue or to parking. Only after the commit is a delivery
acknowledged. While the database does not answer, the consumer stops taking deliveries and waits
with the ones it holds: an outage is no failure of the messages, so it spends none of their retries.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import asyncpg
import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from .applying import Applier
from .batching import Batches, Pending
from .errors import DatabaseUnavailable, PermanentFailure, Unreadable
from .failures import Failures
from .handlers import Handler
from .metrics import KitMetrics
from .parsing import parse_event
from .publisher import Publisher
from .subscription import Subscription
from .topology import Names, delays_ms

log = structlog.get_logger(__name__)


class Consumer:
    """One handler's queue: receive, batch, apply with the inbox, settle each delivery."""

    def __init__(
        self,
        handler: Handler,
        *,
        names: Names,
        retry_delays: list[float],
        prefetch: int = 256,
        batch_size: int = 64,
        linger_ms: float = 2.0,
        metrics: KitMetrics,
        settings: Any = None,
    ) -> None:
        self.handler = handler
        self._settings = settings
        self._metrics = metrics
        self._names = names
        self._delays = delays_ms(retry_delays)
        self._batches: Batches[AbstractIncomingMessage] = Batches(
            size=batch_size, linger_seconds=linger_ms / 1000
        )
        self._subscription = Subscription(names.handler_queue(handler.name), prefetch=prefetch)
        self._workers: list[asyncio.Task[None]] = []
        self._paused = asyncio.Lock()  # held by the worker waiting out a database outage
        self._stopping = False

    async def start(
        self, pool: asyncpg.Pool, connection: AbstractRobustConnection, publisher: Publisher
    ) -> None:
        self._applier = Applier(
            pool, self.handler, service=self._names.service, settings=self._settings, metrics=self._metrics
        )
        self._failures = Failures(
            publisher,
            names=self._names,
            handler=self.handler.name,
            delays_ms=self._delays,
            metrics=self._metrics,
        )
        self._workers = [asyncio.create_task(self._work()) for _ in range(self.handler.concurrency)]
        await self._subscription.start(connection, self._on_delivery)

    async def stop(self, timeout: float = 15.0) -> None:
        """Stop receiving, let deliveries already received settle, then stop the workers."""
        self._stopping = True
        if timeout > 0:
            await self._subscription.cancel()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while self._batches.in_flight:
                    await asyncio.sleep(0.02)
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        if timeout > 0:
            await self._subscription.close()

    async def _on_delivery(self, message: AbstractIncomingMessage) -> None:
        """Parse and queue, in delivery order: batches settle in that same order, which is what
        lets each be acknowledged with one `multiple` ack."""
        tag, alone = message.delivery_tag, bool(message.redelivered)
        try:
            event = parse_event(message.body, self.handler.catalogue)
            pending = Pending(message, event, tag=tag, alone=alone)
        except PermanentFailure as exc:
            pending = Pending(message, None, exc, tag=tag, alone=alone)
        except Exception as exc:  # whatever else goes wrong reading it: parked, never left unsettled
            log.error("could not read a delivery", error=repr(exc), handler=self.handler.name)
            pending = Pending(message, None, Unreadable(f"{type(exc).__name__}: {exc}"), tag=tag, alone=alone)
        self._batches.put(pending)
        if alone != self._subscription.cautious:  # redeliveries one at a time, then widen again
            self._subscription.want_caution(alone)

    async def _work(self) -> None:
        while True:
            async with self._batches.next() as batch:
                try:
                    errors = await self._apply(batch.items)
                except Exception as exc:  # a fault of the kit's own: retried, never left unsettled
                    log.exception("could not apply a batch", handler=self.handler.name)
                    errors = [pending.error or exc for pending in batch.items]
                self._metrics.handled.labels(self.handler.name).inc(errors.count(None))
                await batch.settle(errors, self._failures.forward)

    async def _apply(self, items: list[Pending[AbstractIncomingMessage]]) -> list[Exception | None]:
        """Apply a batch; while the database does not answer, wait for it and apply it again."""
        while True:
            try:
                with self._metrics.batch_seconds.labels(self.handler.name).time():
                    return await self._applier.apply(items)
            except DatabaseUnavailable as outage:
                await self._pause_until_database_answers(outage)

    async def _pause_until_database_answers(self, outage: DatabaseUnavailable) -> None:
        """Stop taking deliveries (those received wait, unsettled) until the database answers,
        then take them again. One worker waits; the others find it answering after it."""
        async with self._paused:
            if await self._applier.database_answers():
                return
            log.warning(
                "database unreachable: consumption paused", handler=self.handler.name, error=repr(outage)
            )
            await self._subscription.cancel()
            delay = 0.2
            while not await self._applier.database_answers():
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            if not self._stopping:
                await self._subscription.resume()
            log.info("database answers again: consumption resumed", handler=self.handler.name)
