"""Removes sessions that have ended but were never used again (a closed laptop, a lost phone):
an ended session found by a request is removed then, the others here, every few minutes."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from hearth_shared.worker import ClaimLoop

from ..domain.sessions import SessionRules
from ..store import sessions


class SessionSweeper(ClaimLoop):
    flush_timeout = 0.0

    def __init__(self, pool: asyncpg.Pool, rules: SessionRules, every_seconds: float = 300.0) -> None:
        # The sweep runs on the poll alone. One statement removes every ended session, so the
        # batch size only says "done for now".
        super().__init__(
            pool,
            batch_size=2**31,
            poll_seconds=every_seconds,
            what="session sweep",
        )
        self._rules = rules

    async def step(self) -> int:
        async with self._pool.acquire() as conn:
            return await sessions.delete_ended(conn, self._rules, datetime.now(UTC))
