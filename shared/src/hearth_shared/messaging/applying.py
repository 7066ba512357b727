"""Applying a batch of deliveries: one transaction for the inbox rows, the handler and the outbox.

When the database does not answer, apply raises `DatabaseUnavailable` and applies nothing: an
outage is no failure of the messages, and the consumer pauses rather than retry or park them.
When the handler names the event it could not apply (`EventFailed`), the transaction is rolled
back and the rest applied again without it (handlers only write through their context, so a
rolled-back attempt leaves no trace). When a batch handler fails without naming one, each event is
applied alone to find it. A lost connection with the database still answering fails every delivery
(they are all retried).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import asyncpg
import structlog

from ..contracts import CloudEvent
from ..db import Connection
from ..worker import committed
from . import inbox
from .batching import Pending
from .errors import DatabaseUnavailable, EventFailed, is_connection_error
from .handlers import Handler
from .metrics import KitMetrics
from .outbox import write_events
from .work import Work, source_of

log = structlog.get_logger(__name__)

PROBE_SECONDS = 2.0  # how long the database may take to answer `SELECT 1` before it counts as down


class Applier:
    """Applies one handler's batches on `pool`; each delivery's outcome is its error, or None."""

    def __init__(
        self, pool: asyncpg.Pool, handler: Handler, *, service: str, settings: Any, metrics: KitMetrics
    ) -> None:
        self._pool = pool
        self._handler = handler
        self._source = source_of(service)
        self._settings = settings
        self._metrics = metrics

    async def apply(self, batch: Sequence[Pending[Any]]) -> list[Exception | None]:
        """Apply a batch in one transaction; return each delivery's error (None: committed)."""
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
                    except Exception as exc:
                        if is_connection_error(exc):
                            raise
                        if len(remaining) == 1:
                            failed[remaining[0][0]] = exc
                            continue
                        log.warning("batch handler failed; applying its events one by one", error=repr(exc))
                        await self._apply_singly(conn, remaining, failed)
                        break
        except Exception as exc:  # the transaction as a whole failed
            if not await self.database_answers():
                raise DatabaseUnavailable(exc) from exc  # an outage: the consumer pauses
            log.warning("batch failed", error=repr(exc), size=len(batch))
            return [failed.get(i, exc) for i in range(len(batch))]  # every delivery is retried
        committed()  # the relay (and notifications' mail sender) take what it wrote now
        return [failed.get(i) for i in range(len(batch))]

    async def database_answers(self) -> bool:
        """Whether the database answers a query now (within `PROBE_SECONDS`)."""
        try:
            async with asyncio.timeout(PROBE_SECONDS), self._pool.acquire() as conn:
                await conn.fetchval("SELECT 1")
        except Exception:
            return False
        return True

    async def _apply_singly(
        self, conn: Connection, items: list[inbox.Indexed], failed: dict[int, Exception]
    ) -> None:
        for item in items:
            try:
                async with conn.transaction():
                    await self._apply_together(conn, [item])
            except EventFailed as failure:
                failed[failure.index] = failure.error
            except Exception as exc:
                if is_connection_error(exc):
                    raise
                failed[item[0]] = exc

    async def _apply_together(self, conn: Connection, items: list[inbox.Indexed]) -> None:
        """Inbox rows for the whole batch in one statement, the handler on the events that are new,
        then every event it published in one outbox statement. An `EventFailed` it raises is
        re-raised with the delivery's index in the consumer's batch."""
        keys = [inbox.key_of(event) for _, event in items]
        fresh, duplicates = inbox.split_new(
            items, await inbox.admit(conn, self._handler.name, keys), inbox.key_of
        )
        for _, event in duplicates:
            self._ignore_duplicate(event)
        if not fresh:
            return
        published: list[CloudEvent[Any]] = []
        try:
            # A batch is no one piece of work: its handler publishes `caused_by` each event.
            work = Work(
                conn=conn,
                source=self._source,
                correlation_id=fresh[0][1].correlationid,
                pending=published,
                settings=self._settings,
            )
            await self._handler.fn(work, [event for _, event in fresh])
        except EventFailed as failure:
            raise EventFailed(fresh[failure.index][0], failure.error) from failure.error
        await write_events(conn, published)

    def _ignore_duplicate(self, event: CloudEvent[Any]) -> None:
        log.info(
            "duplicate message ignored",
            handler=self._handler.name,
            event_id=event.id,
            event_type=event.type,
            correlation_id=event.correlationid,
        )
        self._metrics.duplicates.labels(self._handler.name).inc()
