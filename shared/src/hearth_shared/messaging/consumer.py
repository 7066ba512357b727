"""Idempotent, batched consumption with classified failures.

Per delivery: bind its ids into the log context, parse (a bad message parks at once), then queue
it for the batch workers. A worker applies up to `batch_size` deliveries in one transaction —
one inbox statement for the batch, the handler on the new events, one outbox statement — and only
after the commit acknowledges them, in delivery order (one worker per handler, or as many as the
handler's `concurrency`). A redelivered message id finds its inbox row and changes
nothing.

Failures: `PermanentFailure` (bad JSON, schema, unknown type, or raised by a handler) parks the
message with headers saying why, where and when. Anything else is treated as transient and goes to
the next delay queue; after the last delay it parks as `retries_exhausted`. If even that publish
fails, the delivery is returned to its queue (nack), where the delivery limit bounds the loop.

Consumption uses aio-pika directly: FastStream's per-message pipeline alone tops out at about a
third of aio-pika's rate on our 2-core machine (docs/benchmarks.md), below what credits must drain.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
import asyncpg
import structlog
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection

from ..contracts import CloudEvent, PermanentFailure, parse_event
from ..db import Connection
from .handlers import CONNECTION_ERRORS, EventFailed, Handler
from .metrics import KitMetrics
from .outbox import write_events
from .publisher import Publisher
from .topology import Names, delays_ms
from .work import Work, source_of

log = structlog.get_logger(__name__)

ATTEMPT = "x-hearth-attempt"
ORIGINAL_ROUTING_KEY = "x-hearth-original-routing-key"
PARKED_REASON = "x-hearth-parked-reason"
PARKED_DETAIL = "x-hearth-parked-detail"
PARKED_SERVICE = "x-hearth-parked-service"
PARKED_HANDLER = "x-hearth-parked-handler"
PARKED_AT = "x-hearth-parked-at"


class RetriesExhausted(PermanentFailure):
    reason = "retries_exhausted"


@dataclass
class _Pending:
    event: CloudEvent[Any] | None  # None when the body could not be parsed
    message: AbstractIncomingMessage
    error: PermanentFailure | None


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
        self._prefetch = prefetch
        self._batch_size = batch_size
        self._linger = linger_ms / 1000
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._in_flight = 0
        self._channel: AbstractChannel | None = None
        self._consumer_tag: str | None = None
        self._workers: list[asyncio.Task[None]] = []
        # Batches are formed one at a time (so each is a run of consecutive deliveries) and
        # settled in the order they were formed, each after the one before it.
        self._forming = asyncio.Lock()
        self._last_settled = asyncio.Event()
        self._last_settled.set()

    async def start(
        self, pool: asyncpg.Pool, connection: AbstractRobustConnection, publisher: Publisher
    ) -> None:
        self._pool = pool
        self._publisher = publisher
        self._workers = [asyncio.create_task(self._work()) for _ in range(self.handler.concurrency)]
        self._channel = await connection.channel()
        await self._channel.set_qos(prefetch_count=self._prefetch)
        queue = await self._channel.get_queue(self._names.handler_queue(self.handler.name), ensure=False)
        self._consumer_tag = await queue.consume(self._on_delivery)

    async def stop(self, timeout: float = 15.0) -> None:
        """Stop receiving, let deliveries already received settle, then stop the worker."""
        if self._channel is not None and self._consumer_tag is not None and timeout > 0:
            with contextlib.suppress(Exception):  # includes a broker that is not there to answer
                async with asyncio.timeout(5):
                    queue = await self._channel.get_queue(
                        self._names.handler_queue(self.handler.name), ensure=False
                    )
                    await queue.cancel(self._consumer_tag)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while self._in_flight:
                    await asyncio.sleep(0.02)
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        if self._channel is not None and timeout > 0:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await self._channel.close()

    # --- one delivery ---------------------------------------------------------------------------
    async def _on_delivery(self, message: AbstractIncomingMessage) -> None:
        """Parse and queue, in delivery order: the worker settles deliveries in that same order,
        which is what lets it acknowledge a whole batch with one `multiple` ack."""
        try:
            pending = _Pending(parse_event(message.body, self.handler.catalogue), message, None)
        except PermanentFailure as exc:
            pending = _Pending(None, message, exc)
        self._in_flight += 1
        self._queue.put_nowait(pending)

    async def _forward_failure(self, message: AbstractIncomingMessage, error: Exception) -> None:
        """Send a failed delivery to parking (permanent) or to its next delay queue (transient)."""
        with structlog.contextvars.bound_contextvars(
            event_id=message.message_id, event_type=message.type, correlation_id=message.correlation_id
        ):
            if isinstance(error, PermanentFailure):
                await self._park(message, error.reason, str(error))
                self._metrics.parked.labels(self.handler.name, error.reason).inc()
            else:
                await self._retry_or_park(message, error)

    async def _settle(self, batch: list[_Pending], errors: list[Exception | None]) -> None:
        """Forward the failures, then acknowledge the whole batch with one `multiple` ack (every
        older delivery on this channel is settled by now). If a forward fails, that delivery is
        returned to its queue instead (bounded by the delivery limit) and the rest acked singly."""
        returned: set[int] = set()
        for index, (pending, error) in enumerate(zip(batch, errors, strict=True)):
            if error is None:
                continue
            try:
                await self._forward_failure(pending.message, error)
            except Exception as exc:
                log.error("could not forward a failed message; returning it to its queue", error=repr(exc))
                returned.add(index)
                with contextlib.suppress(Exception):
                    await pending.message.nack(requeue=True)
        try:
            if not returned:
                await batch[-1].message.ack(multiple=True)
            else:
                for index, pending in enumerate(batch):
                    if index not in returned:
                        await pending.message.ack()
        except Exception as exc:  # channel gone: the broker redelivers; the inbox makes that harmless
            log.warning("could not acknowledge a batch", error=repr(exc), size=len(batch))

    async def _retry_or_park(self, message: AbstractIncomingMessage, error: Exception) -> None:
        attempt = int(str((message.headers or {}).get(ATTEMPT, 0)))
        if attempt >= len(self._delays):
            await self._park(message, RetriesExhausted.reason, f"after {attempt + 1} attempts: {error!r}")
            self._metrics.parked.labels(self.handler.name, RetriesExhausted.reason).inc()
            return
        delay = self._delays[attempt]
        log.warning("transient failure; will retry", attempt=attempt + 1, delay_ms=delay, error=repr(error))
        await self._forward(
            message,
            exchange=self._names.delay_exchange,
            routing_key=self._names.retry_routing_key(delay, self.handler.name),
            headers={ATTEMPT: attempt + 1},
        )
        self._metrics.retried.labels(self.handler.name).inc()

    async def _park(self, message: AbstractIncomingMessage, reason: str, detail: str) -> None:
        log.error("message parked", reason=reason, detail=detail)
        await self._forward(
            message,
            exchange="",
            routing_key=self._names.parking_queue,
            headers={
                PARKED_REASON: reason,
                PARKED_DETAIL: detail[:2000],
                PARKED_SERVICE: self._names.service,
                PARKED_HANDLER: self.handler.name,
                PARKED_AT: datetime.now(UTC).isoformat(),
            },
        )

    async def _forward(
        self, message: AbstractIncomingMessage, *, exchange: str, routing_key: str, headers: dict[str, Any]
    ) -> None:
        original = dict(message.headers or {})
        original.setdefault(ORIGINAL_ROUTING_KEY, message.routing_key or "")
        await self._publisher.publish(
            aio_pika.Message(
                message.body,
                headers={**original, **headers},
                message_id=message.message_id,
                correlation_id=message.correlation_id,
                type=message.type,
                content_type=message.content_type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            exchange=exchange,
            routing_key=routing_key,
        )

    # --- batches ----------------------------------------------------------------------------------
    async def _work(self) -> None:
        while True:
            async with self._forming:
                batch = await self._next_batch()
                previous, settled = self._last_settled, asyncio.Event()
                self._last_settled = settled
            try:
                with self._metrics.batch_seconds.labels(self.handler.name).time():
                    errors = await self._apply(batch)
                self._metrics.handled.labels(self.handler.name).inc(errors.count(None))
                await previous.wait()  # every older delivery is settled: a `multiple` ack is safe
                await self._settle(batch, errors)
                # Only now: a batch cancelled before settling (shutdown) must never let a later
                # batch's `multiple` ack cover its deliveries; the broker redelivers them.
                settled.set()
            finally:
                self._in_flight -= len(batch)

    async def _next_batch(self) -> list[_Pending]:
        """Up to `batch_size` deliveries: what is waiting, or what arrives within the linger."""
        batch = [await self._queue.get()]
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._linger):
                while len(batch) < self._batch_size:
                    batch.append(await self._queue.get())
        while len(batch) < self._batch_size and not self._queue.empty():
            batch.append(self._queue.get_nowait())
        return batch

    async def _apply(self, batch: list[_Pending]) -> list[Exception | None]:
        """Apply a batch in one transaction; return each delivery's error (None: committed).

        When the handler names the event it could not apply (`EventFailed`), the transaction is
        rolled back and the rest applied again without it (handlers only write through their
        context, so a rolled-back attempt leaves no trace). When a batch handler fails without
        naming one, each event is applied alone. A lost connection fails every delivery.
        """
        failed: dict[int, Exception] = {i: p.error for i, p in enumerate(batch) if p.error is not None}
        if len(failed) == len(batch):
            return [p.error for p in batch]
        try:
            async with self._pool.acquire() as conn:
                while remaining := [
                    (i, p.event) for i, p in enumerate(batch) if i not in failed and p.event is not None
                ]:
                    try:
                        async with conn.transaction():
                            await self._apply_together(conn, remaining)
                        break
                    except EventFailed as failure:
                        failed[failure.index] = failure.error
                    except CONNECTION_ERRORS:
                        raise
                    except Exception as exc:
                        if len(remaining) == 1:
                            failed[remaining[0][0]] = exc
                            continue
                        log.warning("batch handler failed; applying its events one by one", error=repr(exc))
                        await self._apply_singly(conn, remaining, failed)
                        break
        except Exception as exc:  # the transaction as a whole failed: every delivery is retried
            log.warning("batch failed", error=repr(exc), size=len(batch))
            return [failed.get(i, exc) for i in range(len(batch))]
        return [failed.get(i) for i in range(len(batch))]

    async def _apply_singly(
        self, conn: Connection, items: list[tuple[int, CloudEvent[Any]]], failed: dict[int, Exception]
    ) -> None:
        for item in items:
            try:
                async with conn.transaction():
                    await self._apply_together(conn, [item])
            except CONNECTION_ERRORS:
                raise
            except EventFailed as failure:
                failed[failure.index] = failure.error
            except Exception as exc:
                failed[item[0]] = exc

    async def _apply_together(self, conn: Connection, items: list[tuple[int, CloudEvent[Any]]]) -> None:
        """Inbox rows for the whole batch in one statement, the handler on the events that are new,
        then every event it published in one outbox statement. An `EventFailed` it raises is
        re-raised with the delivery's index in the consumer's batch."""
        new_ids = {
            row["message_id"]
            for row in await conn.fetch(
                "INSERT INTO inbox (message_id, handler) SELECT unnest($1::text[]), $2 "
                "ON CONFLICT DO NOTHING RETURNING message_id",
                [event.id for _, event in items],
                self.handler.name,
            )
        }
        fresh: list[tuple[int, CloudEvent[Any]]] = []
        for index, event in items:
            if event.id in new_ids:
                new_ids.discard(event.id)  # a second copy within this batch is a duplicate too
                fresh.append((index, event))
            else:
                log.info(
                    "duplicate message ignored",
                    handler=self.handler.name,
                    event_id=event.id,
                    event_type=event.type,
                    correlation_id=event.correlationid,
                )
                self._metrics.duplicates.labels(self.handler.name).inc()
        if not fresh:
            return
        published: list[CloudEvent[Any]] = []
        try:
            # A batch is no one piece of work: its handler publishes `caused_by` each event.
            work = Work(
                conn=conn,
                source=source_of(self._names.service),
                correlation_id=fresh[0][1].correlationid,
                pending=published,
                settings=self._settings,
            )
            await self.handler.fn(work, [event for _, event in fresh])
        except EventFailed as failure:
            raise EventFailed(fresh[failure.index][0], failure.error) from failure.error
        await write_events(conn, published)
