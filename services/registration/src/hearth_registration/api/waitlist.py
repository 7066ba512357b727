"""The waitlist: staff's view of the line, accepting an offered seat, leaving the line."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from hearth_shared.messaging import begin

from .. import store
from ..actions import tickets, waitlist
from ..events import SERVICE
from .deps import Pool, Public, Settings, Staff
from .tickets import TicketOut, WaitlistEntryOut

router = APIRouter(tags=["tickets"])


@router.get("/gatherings/{gathering_id}/waitlist")
async def show_waitlist(_: Staff, gathering_id: uuid.UUID, pool: Pool) -> list[WaitlistEntryOut]:
    async with pool.acquire() as conn:
        return [WaitlistEntryOut(**vars(r)) for r in await store.waitlist.list_waitlist(conn, gathering_id)]


@router.post("/waitlist/{entry_id}/accept", status_code=status.HTTP_201_CREATED)
async def accept_offer(_: Public, entry_id: uuid.UUID, pool: Pool) -> TicketOut:
    """Take the seat offered to this waitlist entry, while its hold lasts."""
    async with begin(pool, SERVICE) as work:
        ticket = await tickets.accept_offer(work, entry_id)
    return TicketOut(**vars(ticket))


@router.post("/waitlist/{entry_id}/withdraw")
async def withdraw(_: Public, entry_id: uuid.UUID, pool: Pool, settings: Settings) -> WaitlistEntryOut:
    """Leave the waitlist; a seat offered to this entry passes to the next person."""
    async with begin(pool, SERVICE) as work:
        entry = await waitlist.withdraw(work, entry_id, hold_seconds=settings.waitlist_hold_seconds)
    return WaitlistEntryOut(**vars(entry))
