"""Tickets: buying (or joining the waitlist), cancelling, offers, breakout moves, registrant lists."""

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
from hearth_shared.logs import current_correlation_id

from .. import domain, seats, store
from .common import Deps

log = structlog.get_logger(__name__)


class TicketRequest(BaseModel):
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

    def registrant(self) -> seats.Registrant:
        return seats.Registrant(
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


class RegistrantOut(BaseModel):
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


def _csv(registrants: list[RegistrantOut]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(RegistrantOut.model_fields))
    writer.writeheader()
    for registrant in registrants:
        writer.writerow(registrant.model_dump(mode="json"))
    return out.getvalue()


class PurchaseOut(BaseModel):
    outcome: Literal["ticket", "waitlisted"]
    ticket: TicketOut | None = None
    waitlist_entry: WaitlistEntryOut | None = None
    position: int | None = Field(default=None, description="Place in line when joining (1 = next)")


def router(deps: Deps) -> APIRouter:
    api = APIRouter(tags=["tickets"])
    pool, settings = deps.pool, deps.settings

    @api.post(
        "/gatherings/{gathering_id}/tickets",
        status_code=status.HTTP_201_CREATED,
        responses={
            202: {"description": "The gathering is full: the person joined its waitlist"},
            200: {"description": "The outcome of an earlier request with this Idempotency-Key"},
        },
    )
    async def buy_ticket(
        gathering_id: uuid.UUID,
        body: TicketRequest,
        response: Response,
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> PurchaseOut:
        """Buy a ticket, or join the waitlist when the gathering is full. Send an
        `Idempotency-Key` header so that a retried request returns the first outcome instead of
        buying twice."""
        for attempt in range(2):
            try:
                async with pool().acquire() as conn, conn.transaction():
                    purchase = await seats.buy(
                        conn,
                        gathering_id,
                        body.registrant(),
                        key=idempotency_key,
                        correlation_id=current_correlation_id(),
                    )
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

    @api.get(
        "/gatherings/{gathering_id}/registrants",
        responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}},
    )
    async def list_registrants(
        gathering_id: uuid.UUID,
        status: Literal["active", "cancelled"] | None = "active",
        ticket_type: str | None = None,
        q: Annotated[str | None, Query(max_length=200, description="part of a name or email")] = None,
        format: Literal["json", "csv"] = "json",
        limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
    ) -> Response:
        """Who is registered, with filters; `format=csv` downloads a spreadsheet for staff."""
        async with pool().acquire() as conn:
            if await store.gatherings.get_gathering(conn, gathering_id) is None:
                raise seats.NotFound(f"no gathering {gathering_id}")
            rows = await store.seats.list_registrants(
                conn, gathering_id, status=status, ticket_type=ticket_type, search=q, limit=limit
            )
        registrants = [RegistrantOut(**dict(r)) for r in rows]
        if format == "csv":
            return Response(
                _csv(registrants),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="registrants-{gathering_id}.csv"'},
            )
        return JSONResponse([r.model_dump(mode="json") for r in registrants])

    @api.post("/tickets/{ticket_id}/cancel")
    async def cancel_ticket(ticket_id: uuid.UUID) -> TicketOut:
        """Cancel a ticket. Its seat is offered to the next person on the waitlist (held for
        them for the configured time) or goes back on sale."""
        async with pool().acquire() as conn, conn.transaction():
            ticket = await seats.cancel(
                conn,
                ticket_id,
                hold_seconds=settings.waitlist_hold_seconds,
                correlation_id=current_correlation_id(),
            )
        return TicketOut(**dict(ticket))

    @api.get("/tickets/{ticket_id}")
    async def show_ticket(ticket_id: uuid.UUID) -> TicketDetail:
        async with pool().acquire() as conn:
            ticket = await store.seats.get_ticket(conn, ticket_id)
            if ticket is None:
                raise seats.NotFound(f"no ticket {ticket_id}")
            gathering = await store.gatherings.get_gathering(conn, ticket["gathering_id"])
        assert gathering is not None
        return TicketDetail(
            **dict(ticket),
            gathering_title=Bilingual(en=gathering["title_en"], fr=gathering["title_fr"]),
            join_url=gathering["join_url"] if ticket["status"] == "active" else None,
        )

    @api.post("/tickets/{ticket_id}/breakout", tags=["breakouts"])
    async def move_to_breakout(ticket_id: uuid.UUID, body: BreakoutMove) -> TicketOut:
        """Staff move a ticket holder to another breakout."""
        async with pool().acquire() as conn, conn.transaction():
            return TicketOut(**dict(await seats.move_to_breakout(conn, ticket_id, body.breakout_id)))

    @api.get("/gatherings/{gathering_id}/waitlist")
    async def show_waitlist(gathering_id: uuid.UUID) -> list[WaitlistEntryOut]:
        async with pool().acquire() as conn:
            return [WaitlistEntryOut(**dict(r)) for r in await store.seats.list_waitlist(conn, gathering_id)]

    @api.post("/waitlist/{entry_id}/accept", status_code=status.HTTP_201_CREATED)
    async def accept_offer(entry_id: uuid.UUID) -> TicketOut:
        """Take the seat offered to this waitlist entry, while its hold lasts."""
        async with pool().acquire() as conn, conn.transaction():
            ticket = await seats.accept(conn, entry_id, correlation_id=current_correlation_id())
        return TicketOut(**dict(ticket))

    @api.post("/waitlist/{entry_id}/withdraw")
    async def withdraw(entry_id: uuid.UUID) -> WaitlistEntryOut:
        """Leave the waitlist; a seat offered to this entry passes to the next person."""
        async with pool().acquire() as conn, conn.transaction():
            entry = await seats.withdraw(
                conn,
                entry_id,
                hold_seconds=settings.waitlist_hold_seconds,
                correlation_id=current_correlation_id(),
            )
        return WaitlistEntryOut(**dict(entry))

    return api


def _purchase_out(purchase: seats.Purchase) -> PurchaseOut:
    if purchase.outcome == "ticket":
        return PurchaseOut(outcome="ticket", ticket=TicketOut(**dict(purchase.row)))
    return PurchaseOut(
        outcome="waitlisted",
        waitlist_entry=WaitlistEntryOut(**dict(purchase.row)),
        position=purchase.position,
    )
