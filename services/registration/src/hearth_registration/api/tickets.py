"""Tickets: buying one (or joining the waitlist when the gathering is full), cancelling, moving
between breakouts, and staff's list of ticket holders."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime
from typing import Annotated, Literal

import asyncpg
import structlog
from fastapi import APIRouter, Header, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, EmailStr, Field

from hearth_shared.contracts.catalogue import Bilingual, Language
from hearth_shared.messaging import begin

from .. import domain, events, store
from ..actions import tickets
from ..events import SERVICE
from .deps import TOTAL_HEADER, Coordinator, Pool, Public, Settings, Staff, StaffOrPublic

log = structlog.get_logger(__name__)

router = APIRouter(tags=["tickets"])


class TicketRequestIn(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    email: EmailStr
    preferred_language: Language = "en"
    ticket_type: domain.TicketKind = domain.TicketKind.FREE
    profession: str | None = Field(
        default=None, max_length=200, description="Non-members: e.g. social worker"
    )
    regulatory_body: str | None = Field(
        default=None, max_length=200, description="Non-members: who licenses you"
    )
    region: str | None = Field(default=None, max_length=100, description="Non-members: province or country")
    attests_regulated_profession: bool = Field(
        default=False, description="Non-members: I practise a regulated profession"
    )
    breakout_id: uuid.UUID | None = Field(default=None, description="Leave out to be placed by language")
    practice_area: str | None = Field(default=None, max_length=100, examples=["justice"])

    def ticket_request(self) -> domain.TicketRequest:
        return domain.TicketRequest(
            email=self.email,
            name=self.name,
            language=self.preferred_language,
            ticket_type=self.ticket_type,
            attestation=domain.Attestation(
                self.profession, self.regulatory_body, self.region, self.attests_regulated_profession
            ),
            breakout_id=self.breakout_id,
            practice_area=self.practice_area,
        )


class TicketOut(BaseModel):
    id: uuid.UUID
    gathering_id: uuid.UUID
    person_id: uuid.UUID
    ticket_type: str
    price_cents: int
    currency: str
    breakout_id: uuid.UUID | None
    status: Literal["active", "cancelled"]
    created_at: datetime


class TicketDetail(TicketOut):
    """A ticket as its holder sees it: with the join link while it is active."""

    gathering_title: Bilingual
    join_url: str | None


class BreakoutMove(BaseModel):
    breakout_id: uuid.UUID | None = Field(description="null: out of any breakout")


class WaitlistEntryOut(BaseModel):
    id: uuid.UUID
    gathering_id: uuid.UUID
    person_id: uuid.UUID
    status: Literal["waiting", "offered", "accepted", "expired", "withdrawn"]
    joined_at: datetime
    offer_expires_at: datetime | None
    ticket_id: uuid.UUID | None


class TicketHolderOut(BaseModel):
    ticket_id: uuid.UUID
    status: str
    ticket_type: str
    price_cents: int
    currency: str
    created_at: datetime
    breakout_id: uuid.UUID | None
    breakout: str | None
    person_id: uuid.UUID
    name: str
    email: str
    preferred_language: str
    member_id: str | None
    profession: str | None
    regulatory_body: str | None
    region: str | None
    erased_at: datetime | None = Field(default=None, description="Set when the person's details were erased")
    checked_in: bool = Field(default=False, description="Attendance is recorded for the gathering")


def _csv(holders: list[TicketHolderOut]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(TicketHolderOut.model_fields))
    writer.writeheader()
    for holder in holders:
        writer.writerow(holder.model_dump(mode="json"))
    return out.getvalue()


class PurchaseOut(BaseModel):
    outcome: Literal["ticket", "waitlisted"]
    ticket: TicketOut | None = None
    waitlist_entry: WaitlistEntryOut | None = None
    position: int | None = Field(default=None, description="Place in line when joining (1 = next)")


@router.post(
    "/gatherings/{gathering_id}/tickets",
    status_code=status.HTTP_201_CREATED,
    responses={
        202: {"description": "The gathering is full: the person joined its waitlist"},
        200: {"description": "The outcome of an earlier request with this Idempotency-Key"},
    },
)
async def buy_ticket(
    _: Public,
    gathering_id: uuid.UUID,
    body: TicketRequestIn,
    response: Response,
    pool: Pool,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> PurchaseOut:
    """Buy a ticket, or join the waitlist when the gathering is full. Send an
    `Idempotency-Key` header so that a retried request returns the first outcome instead of
    buying twice."""
    for attempt in range(2):
        try:
            async with begin(pool, SERVICE) as work:
                purchase = await tickets.buy(work, gathering_id, body.ticket_request(), key=idempotency_key)
            break
        except asyncpg.UniqueViolationError:
            # A concurrent request with the same key (or person) won: the retry finds it.
            if attempt:
                raise domain.AlreadyRegistered("a concurrent request registered this person") from None
    if purchase.created:
        log.info(
            f"{'ticket purchased' if purchase.outcome == 'ticket' else 'waitlist joined'}",
            gathering_id=str(gathering_id),
        )
    response.status_code = (
        status.HTTP_200_OK
        if not purchase.created
        else status.HTTP_201_CREATED
        if purchase.outcome == "ticket"
        else status.HTTP_202_ACCEPTED
    )
    return _purchase_out(purchase)


@router.get(
    "/gatherings/{gathering_id}/registrants",
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}},
)
async def list_ticket_holders(
    _: Staff,
    gathering_id: uuid.UUID,
    pool: Pool,
    status: Literal["active", "cancelled"] | None = "active",
    ticket_type: str | None = None,
    breakout: Annotated[
        uuid.UUID | Literal["none"] | None, Query(description="a breakout id, or none")
    ] = None,
    checked_in: bool | None = None,
    q: Annotated[str | None, Query(max_length=200, description="part of a name or email")] = None,
    format: Literal["json", "csv"] = "json",
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Who is registered, with filters, a page at a time (`X-Total-Count`: how many the filters
    keep); `format=csv` downloads a spreadsheet for staff."""
    filters = store.registrants.RegistrantFilter(status, ticket_type, breakout, checked_in, q)
    async with pool.acquire() as conn:
        await store.gatherings.known_gathering(conn, gathering_id)
        rows, total = await store.registrants.page(conn, gathering_id, filters, limit=limit, offset=offset)
    holders = [TicketHolderOut(**vars(r)) for r in rows]
    counted = {TOTAL_HEADER: str(total)}
    if format == "csv":
        return Response(
            _csv(holders),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="registrants-{gathering_id}.csv"'}
            | counted,
        )
    return JSONResponse([h.model_dump(mode="json") for h in holders], headers=counted)


@router.post("/tickets/{ticket_id}/cancel")
async def cancel_ticket(_: Public, ticket_id: uuid.UUID, pool: Pool, settings: Settings) -> TicketOut:
    """Cancel a ticket. Its seat is offered to the next person on the waitlist (held for
    them for the configured time) or goes back on sale."""
    async with begin(pool, SERVICE) as work:
        ticket = await tickets.cancel(work, ticket_id, hold_seconds=settings.waitlist_hold_seconds)
    return TicketOut(**vars(ticket))


@router.get("/tickets/{ticket_id}")
async def show_ticket(_: StaffOrPublic, ticket_id: uuid.UUID, pool: Pool) -> TicketDetail:
    async with pool.acquire() as conn:
        ticket = await store.tickets.get_ticket(conn, ticket_id)
        if ticket is None:
            raise domain.NotFound(f"no ticket {ticket_id}")
        gathering = await store.gatherings.get_gathering(conn, ticket.gathering_id)
    assert gathering is not None
    return TicketDetail(
        **vars(ticket),
        gathering_title=events.title(gathering),
        join_url=gathering.join_url if ticket.status == "active" else None,
    )


@router.post("/tickets/{ticket_id}/breakout", tags=["breakouts"])
async def move_to_breakout(_: Coordinator, ticket_id: uuid.UUID, body: BreakoutMove, pool: Pool) -> TicketOut:
    """Staff move a ticket holder to another breakout."""
    async with begin(pool, SERVICE) as work:
        return TicketOut(**vars(await tickets.move_to_breakout(work, ticket_id, body.breakout_id)))


def _purchase_out(purchase: tickets.Purchase) -> PurchaseOut:
    if purchase.outcome == "ticket":
        return PurchaseOut(outcome="ticket", ticket=TicketOut(**vars(purchase.row)))
    return PurchaseOut(
        outcome="waitlisted",
        waitlist_entry=WaitlistEntryOut(**vars(purchase.row)),
        position=purchase.position,
    )
