"""Fires planned sends when their instant comes, the daily digests of group activity, and
retention (finished emails' content, finished plans) every `HEARTH_RETENTION_POLL_SECONDS` —
time-driven work, in one claim loop, so it costs no connections of its own.

The clock is injectable: tests walk it across a change of clocks, or months ahead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from hearth_shared.logs import current_correlation_id
from hearth_shared.messaging import Work
from hearth_shared.worker import ClaimLoop

from ..actions import digests, plans, retention
from ..domain.digests import digest_day
from ..domain.plans import Clock
from ..events import SOURCE
from ..settings import NotificationsSettings

BATCH = 50
RETENTION_BATCH = 500


class Scheduler(ClaimLoop):
    flush_timeout = 0.0

    def __init__(self, pool: asyncpg.Pool, settings: NotificationsSettings, clock: Clock) -> None:
        super().__init__(
            pool,
            batch_size=BATCH,
            poll_seconds=settings.schedule_poll_seconds,
            what="scheduler",
        )
        self._settings = settings
        self._clock = clock
        self._retention_due: datetime | None = None

    async def step(self) -> int:
        now = self._clock()
        return await self.fire_due(now) + await self.send_digests(now) + await self.apply_retention(now)

    async def apply_retention(self, now: datetime) -> int:
        """Blank finished emails' content and delete finished plans past their time (a batch; the
        next step takes the rest), then not again for `retention_poll_seconds`."""
        if self._retention_due is not None and now < self._retention_due:
            return 0
        async with self._pool.acquire() as conn, conn.transaction():
            work = Work(
                conn=conn, source=SOURCE, correlation_id=current_correlation_id(), settings=self._settings
            )
            changed = await retention.apply(work, self._settings.retention(), now, limit=RETENTION_BATCH)
        if changed < RETENTION_BATCH:
            self._retention_due = now + timedelta(seconds=self._settings.retention_poll_seconds)
        return changed

    async def fire_due(self, now: datetime) -> int:
        """Fire the plans due at `now`; return how many fired."""
        async with self._pool.acquire() as conn, conn.transaction():
            work = Work(
                conn=conn, source=SOURCE, correlation_id=current_correlation_id(), settings=self._settings
            )
            return await plans.fire_due(work, now, limit=BATCH)

    async def send_digests(self, now: datetime) -> int:
        """After the digest hour, one email per person gathers what was held for them; what is held
        after today's digest waits for tomorrow's."""
        day = digest_day(now, self._settings.digest_at, self._settings.digest_time_zone)
        if day is None:
            return 0
        async with self._pool.acquire() as conn, conn.transaction():
            work = Work(
                conn=conn, source=SOURCE, correlation_id=current_correlation_id(), settings=self._settings
            )
            return await digests.send_digests(
                work, day, weekly_due=day.weekday() == self._settings.digest_weekday
            )
