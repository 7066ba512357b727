"""Retention of what the kit keeps, in every service: nothing is kept forever.

- Published outbox rows go after `outbox_retention` (7 days): the relay needs a row only until the
  broker confirmed it; a week answers "what did we publish?" while an incident is looked into.
  A published PersonErasureRequested goes at the first pass: its whole content is the address of
  someone who asked to be forgotten.
- Inbox rows go after `inbox_retention` (30 days), well past the redelivery window: retries take
  minutes, a broker holds an unacknowledged delivery for its consumer timeout (30 min), the relay
  repeats a publish only after a crash, and the unrouted queue keeps an event a week. A duplicate
  older than that is not expected; one would be applied again.

`RetentionWorker` is a time-driven claim loop the runtime starts for every service: every
`retention_poll_seconds` it deletes in batches (skipping rows another replica holds), the kit's
tables first, then the service's own rules (`Sweep`s: registration's import reports, say). It
borrows a background connection only while it works, so it adds nothing to the connection budget
(docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import structlog

from ..contracts.catalogue import PersonErasureRequested
from ..db import Connection
from ..worker import ClaimLoop

log = structlog.get_logger(__name__)

BATCH = 500
# Published events that name someone who asked to be forgotten, and nothing else: kept no longer
# than the relay needs them.
GONE_ONCE_PUBLISHED = [PersonErasureRequested.event_type]

# One batch of a service's own retention rule: given the connection (in a transaction), the
# worker's now and the most rows to touch; returns how many it touched.
Sweep = Callable[[Connection, datetime, int], Awaitable[int]]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class KitRetention:
    """How long the kit keeps its rows (`ServiceSettings.outbox_retention`, `.inbox_retention`)."""

    outbox: timedelta
    inbox: timedelta


async def drop_published(conn: Connection, before: datetime, limit: int) -> int:
    """Delete up to `limit` outbox rows published before `before` (or any published erasure
    request); never an unpublished one."""
    deleted = await conn.fetch(
        """DELETE FROM outbox WHERE seq IN (
               SELECT seq FROM outbox
               WHERE published_at IS NOT NULL AND (published_at < $1 OR event_type = ANY($2::text[]))
               LIMIT $3 FOR UPDATE SKIP LOCKED)
           RETURNING seq""",
        before,
        GONE_ONCE_PUBLISHED,
        limit,
    )
    return len(deleted)


async def drop_handled(conn: Connection, before: datetime, limit: int) -> int:
    """Delete up to `limit` inbox rows recorded before `before`."""
    deleted = await conn.fetch(
        """DELETE FROM inbox WHERE ctid IN (
               SELECT ctid FROM inbox WHERE handled_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING 1""",
        before,
        limit,
    )
    return len(deleted)


class RetentionWorker(ClaimLoop):
    """Applies retention every `poll_seconds` (see the module)."""

    flush_timeout = 0.0

    def __init__(
        self,
        pool: asyncpg.Pool,
        rules: KitRetention,
        *,
        poll_seconds: float,
        sweeps: Sequence[Sweep] = (),
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(pool, batch_size=BATCH, poll_seconds=poll_seconds, what="retention")
        self._rules = rules
        self._sweeps: list[Sweep] = [self._outbox, self._inbox, *sweeps]
        self._clock = clock
        self._due: datetime | None = None

    async def step(self) -> int:
        return await self.apply(self._clock())

    async def apply(self, now: datetime) -> int:
        """One batch of every rule, each in its own transaction; return how many rows it touched.
        Then nothing until the next poll, unless a rule found a full batch (the loop comes back
        for the rest at once)."""
        if self._due is not None and now < self._due:
            return 0
        done = 0
        full = False
        for sweep in self._sweeps:
            async with self._pool.acquire() as conn, conn.transaction():
                touched = await sweep(conn, now, BATCH)
            done += touched
            full = full or touched >= BATCH
        if done:
            log.info("retention applied", rows=done)
        if not full:
            self._due = now + timedelta(seconds=self._poll_seconds)
        return done

    async def _outbox(self, conn: Connection, now: datetime, limit: int) -> int:
        return await drop_published(conn, now - self._rules.outbox, limit)

    async def _inbox(self, conn: Connection, now: datetime, limit: int) -> int:
        return await drop_handled(conn, now - self._rules.inbox, limit)
