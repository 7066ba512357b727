"""Idempotent, batched consumption with classified failures.

Per delivery: parse (a bad message parks at once) -> hand to the batcher -> ack after commit.
The batcher applies up to `batch_size` deliveries in one transaction, each in its own savepoint
with its inbox row, so one failing message does not undo the others and a redelivered message id
is a no-op. Only after the commit are the deliveries acknowledged.

Failures: `PermanentFailure` (bad JSON, schema, unknown type, or raised by a handler) parks the
message with headers saying why, where and when. Anything else is treated as transient and goes to
the next delay queue; after the last delay it parks as `retries_exhausted`. If even that publish
fails the delivery is nacked back to its queue, where the delivery limit bounds the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import reduce
from operator import or_
from typing import Any

import asyncpg
import structlog
from aio_pika import IncomingMessage
from faststream import AckPolicy
from faststream.rabbit import Channel, RabbitBroker, RabbitExchange, RabbitMessage, RabbitQueue

from ..contracts import CloudEvent, PermanentFailure, parse_event
from ..db import Connection
from .handlers import Handler, HandlerContext
from .topology import Names, delays_ms

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
    event: CloudEvent[Any]
    done: asyncio.Future[bool] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Consumer:
    """One handler's queue: subscribe, batch, apply with the inbox, settle each delivery."""

    def __init__(
        self,
        handler: Handler,
        *,
        broker: RabbitBroker,
        names: Names,
        retry_delays: list[float],
        prefetch: int = 256,
        batch_size: int = 64,
        linger_ms: float = 2.0,
        workers: int = 2,
    ) -> None:
        self.handler = handler
        self._pool: asyncpg.Pool | None = None
        self._broker = broker
        self._names = names
        self._delays = delays_ms(retry_delays)
        self._batch_size = batch_size
        self._linger = linger_ms / 1000
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._worker_count = workers
        self._workers: list[asyncio.Task[None]] = []
        self._in_flight = 0
        self.subscriber = broker.subscriber(
            RabbitQueue(names.handler_queue(handler.name), declare=False),
            channel=Channel(prefetch_count=prefetch),
            ack_policy=AckPolicy.MANUAL,
            decoder=_message,
            title=names.handler_key(handler.name),
            description=(handler.fn.__doc__ or handler.name).strip(),
        )(self._delivery_function())

    def _delivery_function(self) -> Any:
        """The subscriber's callable. The broker runs with `apply_types=False` and `_message` as
        decoder, so it receives the message untouched; its annotation only documents the accepted
        events in the AsyncAPI document."""

        async def deliver(message: RabbitMessage) -> None:
            await self._on_delivery(message)

        deliver.__name__ = self.handler.name
        deliver.__annotations__ = {
            "message": reduce(or_, [CloudEvent[m] for m in self.handler.accepts]),  # type: ignore[valid-type]
            "return": None,
        }
        return deliver

    def start(self, pool: asyncpg.Pool) -> None:
        """Start the batch workers (before the subscriber starts receiving)."""
        self._pool = pool
        self._workers = [asyncio.create_task(self._work()) for _ in range(self._worker_count)]

    # --- one delivery ---------------------------------------------------------------------------
    async def _on_delivery(self, message: RabbitMessage) -> None:
        raw: IncomingMessage = message.raw_message
        self._in_flight += 1
        try:
            try:
                event = parse_event(raw.body, self.handler.catalogue)
                pending = _Pending(event)
                await self._queue.put(pending)
                await pending.done
            except PermanentFailure as exc:
                await self._settle(message, self._park(raw, exc.reason, str(exc)))
            except Exception as exc:
                await self._settle(message, self._retry_or_park(raw, exc))
            else:
                await message.ack()
        finally:
            self._in_flight -= 1

    async def _settle(self, message: RabbitMessage, forward: Awaitable[None]) -> None:
        """Forward the message (to parking or a delay queue), then ack; if that fails, nack."""
        try:
            await forward
        except Exception as exc:
            log.error("could not forward a failed message; returning it to its queue", error=repr(exc))
            await message.nack(requeue=True)
        else:
            await message.ack()

    async def _retry_or_park(self, raw: IncomingMessage, error: Exception) -> None:
        attempt = int(str((raw.headers or {}).get(ATTEMPT, 0)))
        if attempt >= len(self._delays):
            detail = f"after {attempt + 1} attempts: {error!r}"
            await self._park(raw, RetriesExhausted.reason, detail)
            return
        delay = self._delays[attempt]
        log.warning("transient failure; will retry", attempt=attempt + 1, delay_ms=delay, error=repr(error))
        await self._forward(
            raw,
            exchange=RabbitExchange(self._names.delay_exchange, declare=False),
            routing_key=self._names.retry_routing_key(delay, self.handler.name),
            headers={ATTEMPT: attempt + 1},
        )

    async def _park(self, raw: IncomingMessage, reason: str, detail: str) -> None:
        log.error("message parked", reason=reason, detail=detail)
        await self._forward(
            raw,
            exchange=None,
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
        self,
        raw: IncomingMessage,
        *,
        exchange: RabbitExchange | None,
        routing_key: str,
        headers: dict[str, Any],
    ) -> None:
        original = dict(raw.headers or {})
        original.setdefault(ORIGINAL_ROUTING_KEY, raw.routing_key or "")
        await self._broker.publish(
            raw.body,
            exchange=exchange,
            routing_key=routing_key,
            mandatory=True,
            persist=True,
            headers={**original, **headers},
            message_id=raw.message_id,
            correlation_id=raw.correlation_id,
            message_type=raw.type,
            content_type=raw.content_type,
            timeout=10.0,
        )

    # --- batches ----------------------------------------------------------------------------------
    async def _work(self) -> None:
        while True:
            batch = [await self._queue.get()]
            deadline = asyncio.get_running_loop().time() + self._linger
            while len(batch) < self._batch_size:
                if not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                    continue
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except TimeoutError:
                    break
            await self._apply(batch)

    async def _apply(self, batch: list[_Pending]) -> None:
        outcomes: list[tuple[_Pending, BaseException | None]] = []
        assert self._pool is not None, "start() gives the consumer its pool"
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                for pending in batch:
                    outcomes.append((pending, await self._apply_one(conn, pending.event)))
        except Exception as exc:  # the transaction as a whole failed: every delivery is retried
            for pending in batch:
                if not pending.done.done():
                    pending.done.set_exception(exc)
            return
        for pending, error in outcomes:
            if error is None:
                pending.done.set_result(True)
            else:
                pending.done.set_exception(error)

    async def _apply_one(self, conn: Connection, event: CloudEvent[Any]) -> Exception | None:
        """Inbox row + effect in one savepoint; a handler error undoes both and is returned."""
        with structlog.contextvars.bound_contextvars(
            event_id=event.id, event_type=event.type, correlation_id=event.correlationid
        ):
            try:
                async with conn.transaction():
                    first_time = await conn.fetchval(
                        "INSERT INTO inbox (message_id, handler) VALUES ($1, $2) "
                        "ON CONFLICT DO NOTHING RETURNING true",
                        event.id,
                        self.handler.name,
                    )
                    if first_time:
                        await self.handler.fn(HandlerContext(conn, event, self._names.service), event.data)
                    else:
                        log.info("duplicate message ignored", handler=self.handler.name)
            except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
                raise  # the connection is gone: fail the whole batch
            except Exception as exc:
                return exc
        return None

    async def drain(self, timeout: float = 15.0) -> None:
        """Wait for deliveries already received to be settled, then stop the batch workers."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while self._in_flight:
                    await asyncio.sleep(0.02)
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)


async def _message(message: RabbitMessage) -> RabbitMessage:
    """Hand the message itself to the handler: parsing (and saying what is wrong) is ours."""
    return message
