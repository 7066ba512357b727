"""Transactional outbox: events are rows written in the caller's transaction, published later.

Services publish through `Work.publish` (messaging/work.py), which ends here in `write_events`, the
kit's own (`Work`, and the consumer's one statement per batch). `OutboxRelay` claims unpublished
rows with `FOR UPDATE SKIP LOCKED` (so replicas never publish the same row concurrently), publishes them
as persistent messages with publisher confirms and mandatory routing, and marks them only after
every confirm. A crash between publish and mark can repeat a publish, never lose one; consumers'
inboxes make the repeat harmless. Erasure rewrites the rows that name the person (`redact`);
retention deletes published rows after a while (`messaging.retention`).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import aio_pika
import asyncpg
from prometheus_client import Counter, Gauge

from ..contracts import CONTENT_TYPE, MAX_EVENT_BYTES, CloudEvent
from ..contracts.envelope import routing_key_for
from ..db import Connection
from ..worker import ClaimLoop
from .errors import TooLarge
from .publisher import Publisher
from .redaction import Erased, redact_body


async def write_events(conn: Connection, events: list[CloudEvent[Any]]) -> None:
    """Add `events` to the outbox in one statement, inside the caller's open transaction (the kit's
    own: a service publishes with `Work.publish`). An event over the maximum size is refused here
    (`TooLarge`), in the transaction that would publish it, not parked by every consumer later."""
    if not events:
        return
    bodies = [e.model_dump_json().encode() for e in events]
    for event, body in zip(events, bodies, strict=True):
        if len(body) > MAX_EVENT_BYTES:
            raise TooLarge(f"{event.type} would be {len(body)} bytes; an event may have {MAX_EVENT_BYTES}")
    await conn.execute(
        "INSERT INTO outbox (event_id, event_type, routing_key, correlation_id, body) "
        "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[])",
        [e.id for e in events],
        [e.type for e in events],
        [routing_key_for(e.type) for e in events],
        [e.correlationid for e in events],
        bodies,
    )


async def redact(conn: Connection, who: Erased) -> Erased:
    """Rewrite the outbox rows that name `who` without their details (published or not: an
    unpublished row goes out redacted, still a valid event), in the caller's transaction — the
    erasure handler's. Rows found by the address teach the person ids they carry, and rows naming
    only those ids are rewritten too; returns `who` with those ids. A scan of the outbox (which
    retention keeps short): erasure is rare."""
    for _ in range(2):  # by address (learning ids), then by the ids learned
        rows = await conn.fetch(
            "SELECT seq, body FROM outbox o WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS n "
            "WHERE strpos(lower(convert_from(o.body, 'UTF8')), n) > 0) FOR UPDATE",
            who.needles,
        )
        for row in rows:
            who = who.with_ids_of(json.loads(bytes(row["body"])))
        changed = [(row["seq"], redact_body(bytes(row["body"]), who)) for row in rows]
        updates = [(seq, body) for seq, body in changed if body is not None]
        if updates:
            await conn.executemany("UPDATE outbox SET body = $2 WHERE seq = $1", updates)
    return who


@dataclass(frozen=True)
class OutboxRow:
    """An unpublished event as the relay claims it."""

    seq: int
    event_id: str
    event_type: str
    routing_key: str
    correlation_id: str
    body: bytes
    created_at: float = 0.0  # epoch seconds: the relay's lag is the age of the oldest it holds

    @classmethod
    def of(cls, record: asyncpg.Record) -> OutboxRow:
        return cls(
            seq=record["seq"],
            event_id=record["event_id"],
            event_type=record["event_type"],
            routing_key=record["routing_key"],
            correlation_id=record["correlation_id"],
            body=bytes(record["body"]),
            created_at=record["created_at"].timestamp(),
        )


async def claim(conn: Connection, limit: int) -> list[OutboxRow]:
    """The oldest unpublished rows, locked for this transaction (replicas skip them)."""
    records = await conn.fetch(
        "SELECT seq, event_id, event_type, routing_key, correlation_id, body, created_at FROM outbox "
        "WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
    )
    return [OutboxRow.of(record) for record in records]


async def mark_published(conn: Connection, rows: list[OutboxRow]) -> None:
    await conn.execute(
        "UPDATE outbox SET published_at = now() WHERE seq = ANY($1::bigint[])", [row.seq for row in rows]
    )


class OutboxRelay(ClaimLoop):
    """Publishes a service's outbox. Woken when its process commits; polls as a safety net."""

    woken_at_commit = True
    wakes_others = False

    def __init__(
        self,
        pool: asyncpg.Pool,
        publisher: Publisher,
        *,
        exchange: str,
        batch_size: int = 200,
        poll_seconds: float = 1.0,
        published: Counter | None = None,
        lag: Gauge | None = None,
    ) -> None:
        super().__init__(
            pool,
            batch_size=batch_size,
            poll_seconds=poll_seconds,
            what="outbox relay",
        )
        self._publisher = publisher
        self._exchange = exchange
        self._published = published
        # Relay lag: the age, at scrape time, of the oldest row claimed and not yet published (a
        # failing publish keeps it, so the lag grows while the broker refuses); 0 when caught up.
        self._oldest: float | None = None
        if lag is not None:
            lag.set_function(lambda: 0.0 if self._oldest is None else max(0.0, time.time() - self._oldest))

    async def step(self) -> int:
        """Publish one claimed batch; return how many rows it marked published."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await claim(conn, self._batch_size)
            self._oldest = min((row.created_at for row in rows), default=None)
            if not rows:
                return 0
            await asyncio.gather(*(self._publish(row) for row in rows))
            await mark_published(conn, rows)
            self._oldest = None  # published; an older row another replica holds is its lag
        if self._published is not None:
            self._published.inc(len(rows))
        return len(rows)

    async def _publish(self, row: OutboxRow) -> None:
        await self._publisher.publish(
            aio_pika.Message(
                row.body,
                message_id=row.event_id,
                correlation_id=row.correlation_id,
                type=row.event_type,
                content_type=CONTENT_TYPE,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            exchange=self._exchange,
            routing_key=row.routing_key,
        )
