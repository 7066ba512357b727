"""Registration's HTTP API: gatherings and ticket purchases (the first slice)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg
import structlog
from fastapi import APIRouter, FastAPI, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, EmailStr, Field, field_validator, model_validator

from hearth_shared.api import Problem, current_correlation_id, problem_response
from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import (
    Bilingual,
    GatheringKind,
    GatheringScheduled,
    Language,
    Modality,
)
from hearth_shared.messaging import ServiceRuntime, write_event

from . import domain, seats, store
from .settings import RegistrationSettings

SOURCE = seats.SOURCE
log = structlog.get_logger(__name__)


class GatheringIn(BaseModel):
    title: Bilingual
    kind: GatheringKind
    modality: Modality
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    time_zone: str = Field(examples=["America/Halifax", "Europe/London"])
    capacity: int = Field(ge=0, le=100_000)
    venue: str | None = None
    join_url: str | None = None
    status: Literal["draft", "open"] = "open"

    @field_validator("time_zone")
    @classmethod
    def known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. America/Halifax)") from exc
        return value

    @model_validator(mode="after")
    def ends_after_start(self) -> GatheringIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class GatheringOut(BaseModel):
    id: uuid.UUID
    title: Bilingual
    kind: GatheringKind
    modality: Modality
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    capacity: int
    seats_taken: int
    venue: str | None
    status: str


class TicketRequest(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    email: EmailStr
    preferred_language: Language = "en"
    ticket_type: Literal["member", "non_member", "student", "free"] = "free"


class TicketOut(BaseModel):
    id: uuid.UUID
    gathering_id: uuid.UUID
    person_id: uuid.UUID
    ticket_type: str
    price_cents: int
    currency: str
    status: Literal["active", "cancelled"]
    created_at: datetime


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
    person_id: uuid.UUID
    name: str
    email: str
    preferred_language: str
    member_id: str | None


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


def _gathering_out(row: asyncpg.Record) -> GatheringOut:
    return GatheringOut(
        **{k: row[k] for k in GatheringOut.model_fields if k in row.keys()},  # noqa: SIM118
        title=Bilingual(en=row["title_en"], fr=row["title_fr"]),
    )


def router(runtime: ServiceRuntime, settings: RegistrationSettings) -> APIRouter:
    api = APIRouter(tags=["registration"])

    def pool() -> asyncpg.Pool:
        assert runtime.pool is not None, "the runtime starts before requests are served"
        return runtime.pool

    @api.post("/gatherings", status_code=status.HTTP_201_CREATED)
    async def schedule_gathering(body: GatheringIn) -> GatheringOut:
        fields = body.model_dump(exclude={"title"}) | {
            "title_en": body.title.en,
            "title_fr": body.title.fr,
        }
        async with pool().acquire() as conn, conn.transaction():
            row = await store.insert_gathering(conn, fields)
            await write_event(
                conn,
                new_event(
                    GatheringScheduled(
                        gathering_id=row["id"],
                        title=body.title,
                        kind=body.kind,
                        modality=body.modality,
                        starts_at=body.starts_at,
                        ends_at=body.ends_at,
                        time_zone=body.time_zone,
                        capacity=body.capacity,
                        venue=body.venue,
                    ),
                    source=SOURCE,
                    correlation_id=current_correlation_id(),
                ),
            )
        log.info("gathering scheduled", gathering_id=str(row["id"]))
        return _gathering_out(row)

    @api.get("/gatherings")
    async def list_gatherings(
        status: Literal["draft", "open", "closed", "cancelled"] | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[GatheringOut]:
        async with pool().acquire() as conn:
            rows = await store.list_gatherings(conn, status=status, limit=limit)
        return [_gathering_out(row) for row in rows]

    @api.get("/gatherings/{gathering_id}")
    async def show_gathering(gathering_id: uuid.UUID) -> GatheringOut:
        async with pool().acquire() as conn:
            row = await store.get_gathering(conn, gathering_id)
        if row is None:
            raise Problem(404, "not_found", f"no gathering {gathering_id}", "gathering_id")
        return _gathering_out(row)

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
                        email=body.email,
                        name=body.name,
                        language=body.preferred_language,
                        ticket_type=body.ticket_type,
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
            if await store.get_gathering(conn, gathering_id) is None:
                raise seats.NotFound(f"no gathering {gathering_id}")
            rows = await store.list_registrants(
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

    @api.get("/gatherings/{gathering_id}/waitlist")
    async def show_waitlist(gathering_id: uuid.UUID) -> list[WaitlistEntryOut]:
        async with pool().acquire() as conn:
            return [WaitlistEntryOut(**dict(r)) for r in await store.list_waitlist(conn, gathering_id)]

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


def install_refusals(app: FastAPI) -> None:
    """Rules refused (409, with a stable code) and unknown ids (404), for every route."""

    @app.exception_handler(domain.RegistrationRefused)
    async def refused(_: Request, exc: domain.RegistrationRefused) -> JSONResponse:
        return problem_response(Problem(409, exc.code, str(exc)))

    @app.exception_handler(seats.NotFound)
    async def not_found(_: Request, exc: seats.NotFound) -> JSONResponse:
        return problem_response(Problem(404, "not_found", str(exc)))
