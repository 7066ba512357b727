"""Removes sessions that have ended but were never used again (a closed laptop, a lost phone):
an ended session found by a request is removed then, the others here, every few minutes."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

import asyncpg
import structlog

from ..domain.sessions import SessionRules
from ..store import sessions

log = structlog.get_logger(__name__)


class SessionSweeper:
    def __init__(self, pool: asyncpg.Pool, rules: SessionRules, every_seconds: float = 300.0) -> None:
        self._pool, self._rules, self._every = pool, rules, every_seconds
        self._stopped = asyncio.Event()

    async def sweep(self) -> int:
        async with self._pool.acquire() as conn:
            return await sessions.delete_ended(conn, self._rules, datetime.now(UTC))

    async def run(self) -> None:
        while not self._stopped.is_set():
            try:
                removed = await self.sweep()
                if removed:
                    log.info("ended sessions removed", count=removed)
            except (OSError, asyncpg.PostgresError) as exc:  # the database is away: next time
                log.warning("session sweep failed; will retry", error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), self._every)

    async def stop(self) -> None:
        self._stopped.set()
