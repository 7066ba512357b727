"""The waitlist: staff's view of the line; a place in it as its holder sees it; accepting or
declining an offered seat; leaving the line."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from hearth_shared.messaging import begin

from .. import domain, store
from ..actions import tickets, waitlist
from ..events import SERVICE
from .deps import TOTAL_HEADER, Pool, Public, Settings, Staff, StaffOrPublic
from .tickets import TicketOut, WaitlistEntryOut, ticket_out

router = APIRouter(tags=["tickets"])


class PlaceInLineOut(WaitlistEntryOut):
    name: str


@router.get("/gatherings/{gathering_id}/waitlist")
async def show_waitlist(
    _: Staff,
    gathering_id: uuid.UUID,
    pool: Pool,
    response: Response,
    statuses: Annotated[
        list[domain.WaitlistStatus] | None, Query(alias="status", description="Repeat for each; none: all")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[PlaceInLineOut]:
    """The line in the order people joined it, with who holds each place, a page at a time
    (`X-Total-Count`: how many entries have those statuses)."""
    async with pool.acquire() as conn:
        rows, total = await store.waitlist.line_page(
            conn, gathering_id, [s.value for s in statuses] if statuses else None, limit=limit, offset=offset
        )
    response.headers[TOTAL_HEADER] = str(total)
    return [PlaceInLineOut(**vars(r)) for r in rows]


@router.get("/waitlist/{entry_id}")
async def show_waitlist_entry(_: StaffOrPublic, entry_id: uuid.UUID, pool: Pool) -> WaitlistEntryOut:
    """A place in line as its holder's offer page shows it: status, the offer's expiry, the
    gathering (and the ticket an accepted offer became)."""
    async with pool.acquire() as conn:
        entry = await store.waitlist.get_waitlist_entry(conn, entry_id)
    if entry is None:
        raise domain.NotFound(f"no waitlist entry {entry_id}")
    return WaitlistEntryOut(**vars(entry))


@router.post("/waitlist/{entry_id}/accept", status_code=status.HTTP_201_CREATED)
async def accept_offer(_: Public, entry_id: uuid.UUID, pool: Pool, settings: Settings) -> TicketOut:
    """Take the seat offered to this waitlist entry, while its hold lasts (a priced ticket is then
    held awaiting payment, like any bought one)."""
    async with begin(pool, SERVICE) as work:
        ticket = await tickets.accept_offer(work, entry_id, hold_minutes=settings.payment_hold_minutes)
    return ticket_out(ticket)


@router.post("/waitlist/{entry_id}/decline")
async def decline_offer(_: Public, entry_id: uuid.UUID, pool: Pool, settings: Settings) -> WaitlistEntryOut:
    """Turn down the seat offered to this entry (409 `offer_not_open` unless it is offered): the
    entry leaves the line and the seat is offered to the next person."""
    async with begin(pool, SERVICE) as work:
        entry = await waitlist.withdraw(
            work, entry_id, hold_seconds=settings.waitlist_hold_seconds, only_offered=True
        )
    return WaitlistEntryOut(**vars(entry))


@router.post("/waitlist/{entry_id}/withdraw")
async def withdraw(_: Public, entry_id: uuid.UUID, pool: Pool, settings: Settings) -> WaitlistEntryOut:
    """Leave the waitlist; a seat offered to this entry passes to the next person."""
    async with begin(pool, SERVICE) as work:
        entry = await waitlist.withdraw(work, entry_id, hold_seconds=settings.waitlist_hold_seconds)
    return WaitlistEntryOut(**vars(entry))
