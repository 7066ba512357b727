"""Unpaid holds that run out expire, and each seat passes to the next person in line (or back on
sale), with RegistrationCancelled (reason hold_expired) for the holder's email."""

from __future__ import annotations

import asyncpg

from hearth_shared.db import Connection
from hearth_shared.messaging import Work

from .. import store
from ..actions import tickets
from ..store.tickets import Ticket
from .expiry import ExpiryLoop


class HoldExpiry(ExpiryLoop[Ticket]):
    """Expires tickets held awaiting payment past their hold and hands each seat on."""

    expired_event = "payment hold expired"

    def __init__(self, pool: asyncpg.Pool, *, hold_seconds: float, poll_seconds: float = 1.0) -> None:
        what = "payment hold expiry"
        super().__init__(pool, channel="registration_holds", what=what, poll_seconds=poll_seconds)
        self._hold = hold_seconds  # how long a seat offered from the line is then held

    async def claim(self, conn: Connection, limit: int) -> list[Ticket]:
        return await store.tickets.claim_expired_holds(conn, limit)

    async def expire(self, work: Work, row: Ticket) -> None:
        await tickets.expire_hold(work, row, hold_seconds=self._hold)
