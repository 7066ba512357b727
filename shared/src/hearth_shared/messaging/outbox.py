"""Transactional outbox: events are rows written in the caller's transaction, published later.

`write_event` is the only way a Hearth service publishes. `OutboxRelay` claims unpublished rows
with `FOR UPDATE SKIP LOCKED` (so replicas never publish the same row concurrently), publishes them
as persistent messages with publisher confirms and mandatory routing, and marks them only after
every confirm. A crash between publish and mark can repeat a publish, never lose one; consumers'
inboxes make the repeat harmless.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from faststream.rabbit import RabbitBroker, RabbitExchange

from ..contracts import CONTENT_TYPE, CloudEvent
from ..contracts.envelope import routing_key_for
from ..db import Connection
from ..worker import ClaimLoop


async def write_event(conn: Connection, event: CloudEvent[Any]) -> None:
    """Add `event` to the outbox inside the caller's open transaction."""
    await conn.execute(
        "INSERT INTO outbox (event_id, event_type, routing_key, correlation_id, body) "
        "VALUES ($1, $2, $3, $4, $5)",
        event.id,
        event.type,
        routing_key_for(event.type),
        event.correlationid,
        event.model_dump_json().encode(),
    )


class OutboxRelay:
    """Publishes a service's outbox. Woken by NOTIFY at commit; polls as a safety net."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        broker: RabbitBroker,
        *,
        exchange: str,
        schema: str,
        batch_size: int = 200,
        poll_seconds: float = 1.0,
        publish_timeout: float = 10.0,
    ) -> None:
        self._pool = pool
        self._broker = broker
        self._exchange = RabbitExchange(exchange, declare=False)
        self._batch_size = batch_size
        self._publish_timeout = publish_timeout
        self._loop = ClaimLoop(
            pool,
            channel=f"{schema}_outbox",
            step=self.publish_pending,
            batch_size=batch_size,
            poll_seconds=poll_seconds,
            what="outbox relay",
        )
        self.published = 0

    async def publish_pending(self) -> int:
        """Publish one claimed batch; return how many rows it marked published."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT seq, event_id, event_type, routing_key, correlation_id, body FROM outbox "
                "WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED",
                self._batch_size,
            )
            if not rows:
                return 0
            await asyncio.gather(*(self._publish(row) for row in rows))
            await conn.execute(
                "UPDATE outbox SET published_at = now() WHERE seq = ANY($1::bigint[])",
                [row["seq"] for row in rows],
            )
        self.published += len(rows)
        return len(rows)

    async def _publish(self, row: asyncpg.Record) -> None:
        await self._broker.publish(
            bytes(row["body"]),
            exchange=self._exchange,
            routing_key=row["routing_key"],
            mandatory=True,
            persist=True,
            message_id=row["event_id"],
            correlation_id=row["correlation_id"],
            message_type=row["event_type"],
            content_type=CONTENT_TYPE,
            timeout=self._publish_timeout,
        )

    async def run(self) -> None:
        await self._loop.run()

    async def stop(self, flush_timeout: float = 10.0) -> None:
        """Stop after publishing what is pending (bounded by `flush_timeout`)."""
        await self._loop.stop(flush_timeout)
