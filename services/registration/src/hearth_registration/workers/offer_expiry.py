"""Offers whose hold has run out expire, and each seat passes to the next person in line."""

from __future__ import annotations

import uuid

import asyncpg
import structlog

from hearth_shared.messaging import Work
from hearth_shared.worker import ClaimLoop

from .. import store
from ..actions import waitlist
from ..events import SOURCE

log = structlog.get_logger(__name__)

BATCH = 50


class OfferExpiry(ClaimLoop):
    """Expires offers whose hold has run out and hands each seat on; any replica may run it."""

    flush_timeout = 0.0

    def __init__(self, pool: asyncpg.Pool, *, hold_seconds: float, poll_seconds: float = 1.0) -> None:
        super().__init__(
            pool,
            channel="registration_offers",
            batch_size=BATCH,
            poll_seconds=poll_seconds,
            what="offer expiry",
        )
        self._hold = hold_seconds

    async def step(self) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            expired = await store.waitlist.claim_expired_offers(conn, BATCH)
            for entry in expired:
                # Each expiry is its own piece of work, followed in the logs by its own id.
                work = Work(conn=conn, source=SOURCE, correlation_id=str(uuid.uuid4()))
                log.info("offer expired", entry_id=str(entry.id), correlation_id=work.correlation_id)
                await waitlist.expire(work, entry, hold_seconds=self._hold)
        return len(expired)
