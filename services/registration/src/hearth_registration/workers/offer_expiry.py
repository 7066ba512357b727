"""Offers whose hold has run out expire, and each seat passes to the next person in line."""

from __future__ import annotations

import asyncpg

from hearth_shared.db import Connection
from hearth_shared.messaging import Work

from .. import store
from ..actions import waitlist
from ..store.waitlist import WaitlistEntry
from .expiry import ExpiryLoop


class OfferExpiry(ExpiryLoop[WaitlistEntry]):
    """Expires offers whose hold has run out and hands each seat on."""

    expired_event = "offer expired"

    def __init__(self, pool: asyncpg.Pool, *, hold_seconds: float, poll_seconds: float = 1.0) -> None:
        super().__init__(pool, channel="registration_offers", what="offer expiry", poll_seconds=poll_seconds)
        self._hold = hold_seconds

    async def claim(self, conn: Connection, limit: int) -> list[WaitlistEntry]:
        return await store.waitlist.claim_expired_offers(conn, limit)

    async def expire(self, work: Work, row: WaitlistEntry) -> None:
        await waitlist.expire(work, row, hold_seconds=self._hold)
