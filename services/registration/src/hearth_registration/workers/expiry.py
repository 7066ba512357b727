"""What every expiry worker does: claim the rows whose time ran out, and expire each as its own
piece of work (followed in the logs by its own correlation id), all in one transaction."""

from __future__ import annotations

import uuid
from abc import abstractmethod
from typing import Generic, TypeVar

import asyncpg
import structlog

from hearth_shared.db import Connection
from hearth_shared.messaging import Work
from hearth_shared.worker import ClaimLoop

from ..events import SOURCE

log = structlog.get_logger(__name__)

BATCH = 50
RowT = TypeVar("RowT")


class ExpiryLoop(ClaimLoop, Generic[RowT]):
    """Claims due rows with `FOR UPDATE SKIP LOCKED` (any replica may run it) and expires them."""

    flush_timeout = 0.0
    expired_event = "expired"  # the log line for each row expired

    def __init__(self, pool: asyncpg.Pool, *, channel: str, what: str, poll_seconds: float) -> None:
        super().__init__(pool, channel=channel, batch_size=BATCH, poll_seconds=poll_seconds, what=what)

    @abstractmethod
    async def claim(self, conn: Connection, limit: int) -> list[RowT]:
        """Rows whose time ran out, locked for this transaction."""

    @abstractmethod
    async def expire(self, work: Work, row: RowT) -> None:
        """Expire one claimed row."""

    async def step(self) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            due = await self.claim(conn, BATCH)
            for row in due:
                work = Work(conn=conn, source=SOURCE, correlation_id=str(uuid.uuid4()))
                # Each expiry is its own piece of work, followed in the logs by its own id.
                row_id = str(getattr(row, "id", ""))
                log.info(self.expired_event, id=row_id, correlation_id=work.correlation_id)
                await self.expire(work, row)
        return len(due)
