"""Seats held for someone expire when their time runs out: a waitlist offer nobody accepted, a
ticket whose payment never came. Each seat passes to the next person in line (or back on sale).
The line of a gathering that has begun closes (nothing is offered from it any more).

One claim loop for both, so registration's background pool stays at two loops (the relay and
this), as the connection budget in docs/operations.md counts them.
"""

from __future__ import annotations

import uuid

import asyncpg
import structlog

from hearth_shared.db import Connection
from hearth_shared.messaging import Work
from hearth_shared.worker import ClaimLoop

from .. import store
from ..actions import tickets, waitlist
from ..events import SOURCE

log = structlog.get_logger(__name__)

BATCH = 50


class HoldExpiry(ClaimLoop):
    """Expires offers and unpaid holds past their time and hands each seat on; any replica may
    run it (claims skip what another has locked)."""

    flush_timeout = 0.0

    def __init__(self, pool: asyncpg.Pool, *, hold_seconds: float, poll_seconds: float = 1.0) -> None:
        super().__init__(
            pool,
            batch_size=BATCH,
            poll_seconds=poll_seconds,
            what="hold expiry",
        )
        self._hold = hold_seconds  # how long a seat offered from the line is held

    async def step(self) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            offers = await store.waitlist.claim_expired_offers(conn, BATCH)
            for entry in offers:
                work = self._work(conn)
                log.info("offer expired", entry_id=str(entry.id), correlation_id=work.correlation_id)
                await waitlist.expire(work, entry, hold_seconds=self._hold)
        async with self._pool.acquire() as conn, conn.transaction():
            unpaid = await store.tickets.claim_expired_holds(conn, BATCH)
            for ticket in unpaid:
                work = self._work(conn)
                log.info("payment hold expired", ticket_id=str(ticket.id), correlation_id=work.correlation_id)
                await tickets.expire_hold(work, ticket, hold_seconds=self._hold)
        async with self._pool.acquire() as conn, conn.transaction():
            begun = await store.gatherings.claim_begun_with_line(conn, BATCH)
            for gathering in begun:
                await waitlist.close_line(self._work(conn), gathering)
        return max(len(offers), len(unpaid), len(begun))

    @staticmethod
    def _work(conn: Connection) -> Work:
        # Each expiry is its own piece of work, followed in the logs by its own id.
        return Work(conn=conn, source=SOURCE, correlation_id=str(uuid.uuid4()))
