"""Registration's HTTP API: gatherings and ticket purchases (the first slice)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg
import structlog
from fastapi import APIRouter, Header, Query, Response, status
from pydantic import AwareDatetime, BaseModel, EmailStr, Field, field_validator, model_validator

from hearth_shared.api import Problem, current_correlation_id
from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import (
    Attendee,
    Bilingual,
    GatheringKind,
    GatheringScheduled,
    GatheringSnapshot,
    Language,
    Modality,
    TicketPurchased,
)
from hearth_shared.messaging import ServiceRuntime, write_event

from . import domain, store

SOURCE = "/hearth/registration"
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
    created_at: datetime


def _gathering_out(row: asyncpg.Record) -> GatheringOut:
    return GatheringOut(
        **{k: row[k] for k in GatheringOut.model_fields if k in row.keys()},  # noqa: SIM118
        title=Bilingual(en=row["title_en"], fr=row["title_fr"]),
    )


def _snapshot(row: asyncpg.Record) -> GatheringSnapshot:
    return GatheringSnapshot(
        gathering_id=row["id"],
        title=Bilingual(en=row["title_en"], fr=row["title_fr"]),
        modality=row["modality"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        time_zone=row["time_zone"],
        venue=row["venue"],
        join_url=row["join_url"],
    )


def router(runtime: ServiceRuntime) -> APIRouter:
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
        responses={200: {"description": "The ticket already bought with this Idempotency-Key"}},
    )
    async def buy_ticket(
        gathering_id: uuid.UUID,
        body: TicketRequest,
        response: Response,
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> TicketOut:
        """Buy a ticket. Send an `Idempotency-Key` header so that a retried request returns the
        same ticket instead of buying a second one."""
        for attempt in range(2):
            try:
                ticket, created = await _purchase(pool(), gathering_id, body, idempotency_key)
                break
            except asyncpg.UniqueViolationError:
                # A concurrent request with the same key (or person) won: the retry finds it.
                if attempt:
                    raise
        if not created:
            response.status_code = status.HTTP_200_OK
        return TicketOut(**dict(ticket))

    return api


async def _purchase(
    pool: asyncpg.Pool, gathering_id: uuid.UUID, body: TicketRequest, key: str | None
) -> tuple[asyncpg.Record, bool]:
    """Ticket and TicketPurchased in one transaction; `(ticket, created)`."""
    async with pool.acquire() as conn, conn.transaction():
        if key and (existing := await store.ticket_by_key(conn, key)):
            if existing["gathering_id"] != gathering_id:
                raise Problem(
                    409,
                    "idempotency_key_reused",
                    "this Idempotency-Key was used for another gathering",
                    "Idempotency-Key",
                )
            return existing, False
        person = await store.upsert_person(
            conn,
            email=domain.normalise_email(body.email),
            name=body.name,
            language=body.preferred_language,
        )
        if await store.ticket_for(conn, gathering_id, person["id"]):
            raise _refused(domain.AlreadyRegistered(f"{body.email} already has a ticket"))
        gathering = await store.take_seat(conn, gathering_id)
        if gathering is None:
            current = await store.get_gathering(conn, gathering_id)
            if current is None:
                raise Problem(404, "not_found", f"no gathering {gathering_id}", "gathering_id")
            try:
                domain.check_can_sell(
                    domain.GatheringStatus(current["status"]),
                    current["seats_taken"],
                    current["capacity"],
                )
            except domain.RegistrationRefused as exc:
                raise _refused(exc) from exc
            raise AssertionError("take_seat refused a sellable gathering")
        ticket = await store.insert_ticket(
            conn,
            gathering_id=gathering_id,
            person_id=person["id"],
            ticket_type=body.ticket_type,
            price_cents=0,
            idempotency_key=key,
        )
        await write_event(
            conn,
            new_event(
                TicketPurchased(
                    ticket_id=ticket["id"],
                    ticket_type=ticket["ticket_type"],
                    price_cents=ticket["price_cents"],
                    currency=ticket["currency"],
                    gathering=_snapshot(gathering),
                    attendee=Attendee(
                        person_id=person["id"],
                        name=person["name"],
                        email=person["email"],
                        language=person["preferred_language"],
                    ),
                ),
                source=SOURCE,
                correlation_id=current_correlation_id(),
            ),
        )
    log.info("ticket purchased", ticket_id=str(ticket["id"]), gathering_id=str(gathering_id))
    return ticket, True


def _refused(exc: domain.RegistrationRefused) -> Problem:
    return Problem(409, exc.code, str(exc))
