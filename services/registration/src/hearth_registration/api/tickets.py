"""Tickets: buying one (or joining the waitlist when the gathering is full; a priced one is held
awaiting payment), staff marking one paid, cancelling, moving between breakouts, and staff's list
of ticket holders."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime
from typing import Annotated, Literal

import structlog
from fastapi import APIRouter, Header, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from hearth_shared.contracts.catalogue import Bilingual, Language
from hearth_shared.contracts.text import CleanStr, Email
from hearth_shared.messaging import begin

from .. import domain, events, store
from ..actions import payments, tickets
from ..events import SERVICE
from ..store.tickets import Ticket
from .deps import TOTAL_HEADER, Coordinator, Pool, Public, Settings, Staff, StaffOrPublic, staff_member

log = structlog.get_logger(__name__)

router = APIRouter(tags=["tickets"])


class TicketRequestIn(BaseModel):
    name: CleanStr = Field(min_length=1, max_length=300)
    email: Email
    preferred_language: Language = "en"
    ticket_type: domain.TicketKind = domain.TicketKind.FREE
    profession: CleanStr | None = Field(
        default=None, max_length=200, description="Non-members: e.g. social worker"
    )
    regulatory_body: CleanStr | None = Field(
        default=None, max_length=200, description="Non-members: who licenses you"
    )
    region: CleanStr | None = Field(
        default=None, max_length=100, description="Non-members: province or country"
    )
    attests_regulated_profession: bool = Field(
        default=False, description="Non-members: I practise a regulated profession"
    )
    breakout_id: uuid.UUID | None = Field(default=None, description="Leave out to be placed by language")
    practice_area: CleanStr | None = Field(default=None, max_length=100, examples=["justice"])

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


TicketStatusOut = Literal["active", "awaiting_payment", "cancelled", "expired"]


class TicketOut(BaseModel):
    id: uuid.UUID
    gathering_id: uuid.UUID
    person_id: uuid.UUID
    ticket_type: str
    price_cents: int
    currency: str
    breakout_id: uuid.UUID | None
    status: TicketStatusOut = Field(
        description="active: confirmed (paid, or free); awaiting_payment: held until hold_expires_at; "
        "cancelled; expired: the unpaid hold ran out"
    )
    created_at: datetime
    hold_expires_at: datetime | None = Field(default=None, description="While awaiting payment")
    paid_at: datetime | None = None
    payment_method: str | None = Field(
        default=None, description="payment_system, e_transfer, invoice, at_door or card"
    )
    payment_reference: str | None = None
    paid_recorded_by: uuid.UUID | None = Field(default=None, description="Who marked it paid (staff)")
    cancelled_by: uuid.UUID | None = Field(
        default=None, description="The staff member who cancelled it (null: its holder did, or nobody)"
    )
    breakout_moved_by: uuid.UUID | None = Field(
        default=None, description="The staff member who last moved it between breakouts (null: its holder)"
    )


class TicketDetail(TicketOut):
    """A ticket as its holder sees it: with the join link while it is active."""

    gathering_title: Bilingual
    join_url: str | None
    attendee_language: str | None = Field(
        default=None, description="The holder's preferred language: their page's by default"
    )


class PaymentIn(BaseModel):
    method: domain.PaymentMethod
    reference: CleanStr | None = Field(
        default=None, min_length=1, max_length=200, description="The e-transfer or invoice number"
    )


class BreakoutMove(BaseModel):
    breakout_id: uuid.UUID | None = Field(description="null: out of any breakout")


class WaitlistEntryOut(BaseModel):
    id: uuid.UUID
    gathering_id: uuid.UUID
    person_id: uuid.UUID
    status: Literal["waiting", "offered", "accepted", "expired", "withdrawn", "closed"]
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
    hold_expires_at: datetime | None = None
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
    ticket_id: uuid.UUID | None = Field(default=None, description="None when waitlisted")
    person_id: uuid.UUID
    status: Literal["confirmed", "awaiting_payment", "waitlisted", "cancelled", "expired"] = Field(
        description="The ticket's state (confirmed: active) or waitlisted; a replayed Idempotency-Key "
        "answers the state now, so also cancelled or expired"
    )
    hold_expires_at: datetime | None = Field(
        default=None, description="awaiting_payment: when the unpaid hold lapses and the seat passes on"
    )
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
    settings: Settings,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> PurchaseOut:
    """Buy a ticket, or join the waitlist when the gathering is full. A ticket with a price is
    held `awaiting_payment` until `hold_expires_at`. A member ticket the register does not
    confirm is refused (422 `membership_not_confirmed`) without saying why. Send an
    `Idempotency-Key` header so that a retried request returns the first outcome instead of
    buying twice."""
    purchase = await tickets.purchase(
        pool,
        gathering_id,
        body.ticket_request(),
        key=idempotency_key,
        hold_minutes=settings.payment_hold_minutes,
    )
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
    status: TicketStatusOut | None = "active",
    ticket_type: Annotated[CleanStr | None, Query(max_length=50)] = None,
    breakout: Annotated[
        uuid.UUID | Literal["none"] | None, Query(description="a breakout id, or none")
    ] = None,
    checked_in: bool | None = None,
    q: Annotated[CleanStr | None, Query(max_length=200, description="part of a name or email")] = None,
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
async def cancel_ticket(caller: Public, ticket_id: uuid.UUID, pool: Pool, settings: Settings) -> TicketOut:
    """Cancel a ticket (staff: `cancelled_by` names them). Its seat is offered to the next person
    on the waitlist (held for them for the configured time) or goes back on sale."""
    async with begin(pool, SERVICE) as work:
        ticket = await tickets.cancel(
            work, ticket_id, hold_seconds=settings.waitlist_hold_seconds, by=staff_member(caller)
        )
    return ticket_out(ticket)


@router.get("/tickets/{ticket_id}")
async def show_ticket(_: StaffOrPublic, ticket_id: uuid.UUID, pool: Pool) -> TicketDetail:
    async with pool.acquire() as conn:
        ticket = await store.tickets.get_ticket(conn, ticket_id)
        if ticket is None:
            raise domain.NotFound(f"no ticket {ticket_id}")
        gathering = await store.gatherings.get_gathering(conn, ticket.gathering_id)
        holder = await store.history.find_person(conn, ticket.person_id)
    assert gathering is not None
    return TicketDetail(
        **vars(ticket),
        gathering_title=events.title(gathering),
        join_url=gathering.join_url if ticket.status == domain.TicketStatus.ACTIVE else None,
        attendee_language=holder.preferred_language if holder else None,
    )


@router.post("/tickets/{ticket_id}/payment")
async def mark_paid(caller: Coordinator, ticket_id: uuid.UUID, body: PaymentIn, pool: Pool) -> TicketOut:
    """Staff record the payment of a ticket held awaiting payment (e-transfer, invoice, at the
    door, card): it is confirmed, with who recorded it. The same reference again changes nothing;
    a ticket paid already, or whose hold lapsed, is refused (409)."""
    async with begin(pool, SERVICE) as work:
        ticket = await payments.mark_paid(work, ticket_id, body.method, body.reference, caller.staff_id)
    log.info("ticket marked paid", ticket_id=str(ticket_id), method=body.method.value)
    return ticket_out(ticket)


@router.post("/tickets/{ticket_id}/breakout", tags=["breakouts"])
async def move_to_breakout(caller: Public, ticket_id: uuid.UUID, body: BreakoutMove, pool: Pool) -> TicketOut:
    """Move a ticket to another breakout: staff (`breakout_moved_by` names them), or its holder
    through their signed link."""
    async with begin(pool, SERVICE) as work:
        moved = await tickets.move_to_breakout(work, ticket_id, body.breakout_id, by=staff_member(caller))
    return ticket_out(moved)


def ticket_out(ticket: Ticket) -> TicketOut:
    return TicketOut.model_validate(ticket, from_attributes=True)


def _purchase_out(purchase: tickets.Purchase) -> PurchaseOut:
    if isinstance(purchase.row, Ticket):
        state = purchase.row.status
        return PurchaseOut(
            outcome="ticket",
            ticket_id=purchase.row.id,
            person_id=purchase.row.person_id,
            status="confirmed" if state == domain.TicketStatus.ACTIVE else state,
            hold_expires_at=purchase.row.hold_expires_at,
            ticket=ticket_out(purchase.row),
        )
    return PurchaseOut(
        outcome="waitlisted",
        person_id=purchase.row.person_id,
        status="waitlisted",
        waitlist_entry=WaitlistEntryOut(**vars(purchase.row)),
        position=purchase.position,
    )
