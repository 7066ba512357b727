"""Gatherings and their series: scheduling them, changing them, opening and closing sales."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import AwareDatetime, BaseModel, Field, ValidationError, field_validator, model_validator

from hearth_shared.contracts.catalogue import (
    Bilingual,
    CreditPolicy,
    GatheringKind,
    GatheringStatus,
    Modality,
)
from hearth_shared.contracts.numbers import TwoPlaces
from hearth_shared.contracts.text import CleanStr
from hearth_shared.db import Connection
from hearth_shared.messaging import begin

from .. import domain, events, store
from ..actions import gatherings
from ..events import SERVICE
from ..store.gatherings import Gathering
from .deps import TOTAL_HEADER, Coordinator, Pool, Settings, StaffOrPublic, staff_member

router = APIRouter(tags=["gatherings"])


class TicketTypeIn(BaseModel):
    kind: domain.TicketKind
    price_cents: int = Field(default=0, ge=0, le=10_000_000)
    currency: str = Field(default="CAD", pattern="^[A-Z]{3}$")


# A link that starts https:// and holds no NUL (CleanStr's pattern would replace this one).
HTTPS_URL = "^https://[^\\u0000]*$"


class CreditPolicyIn(CreditPolicy):
    """The contract's CreditPolicy, its decimals stated as numbers (a multiple of 0.01) in the
    document: the contract's Decimal schema allows any string, which is then refused."""

    hours: TwoPlaces = Field(gt=0, le=100, decimal_places=2)
    minimum_attendance_fraction: TwoPlaces = Field(ge=0, le=1, decimal_places=2)
    increment_hours: TwoPlaces = Field(
        default=Decimal("0.25"), gt=0, le=100, decimal_places=2, json_schema_extra={"default": 0.25}
    )


class GatheringIn(BaseModel):
    title: Bilingual
    description: Bilingual | None = None
    kind: GatheringKind
    modality: Modality
    starts_at: AwareDatetime
    # JSON Schema cannot compare two fields: the rule is said here and checked below (422).
    ends_at: AwareDatetime = Field(description="After starts_at (a request ending at or before it: 422)")
    time_zone: str = Field(max_length=100, examples=["America/Halifax", "Europe/London"])
    capacity: int = Field(ge=0, le=100_000)
    venue: CleanStr | None = Field(default=None, max_length=300)
    address: CleanStr | None = Field(default=None, max_length=500)
    join_url: str | None = Field(
        default=None, max_length=2000, pattern=HTTPS_URL, description="Shown only to ticket holders."
    )
    series_id: uuid.UUID | None = None
    credit_policy: CreditPolicyIn | None = Field(default=None, description="Leave out: no CPD credit.")
    ticket_types: list[TicketTypeIn] = Field(
        default_factory=lambda: [TicketTypeIn(kind=domain.TicketKind.FREE)], min_length=1
    )

    @field_validator("time_zone")
    @classmethod
    def known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. America/Halifax)") from exc
        return value

    @field_validator("ticket_types")
    @classmethod
    def one_price_per_kind(cls, value: list[TicketTypeIn]) -> list[TicketTypeIn]:
        kinds = [t.kind for t in value]
        if len(set(kinds)) != len(kinds):
            raise ValueError("each ticket type may appear once")
        return value

    @model_validator(mode="after")
    def consistent(self) -> GatheringIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.modality is not Modality.VIRTUAL and not self.venue:
            raise ValueError(f"an {self.modality.value} gathering needs a venue")
        if self.modality is not Modality.IN_PERSON and not self.join_url:
            raise ValueError(f"a {self.modality.value} gathering needs a join_url")
        if self.kind is GatheringKind.INFORMAL_MEETUP and self.credit_policy:
            raise ValueError("an informal meetup offers no CPD credit: leave credit_policy out")
        return self

    def columns(self) -> dict[str, Any]:
        return {
            "title_en": self.title.en,
            "title_fr": self.title.fr,
            "description_en": self.description.en if self.description else None,
            "description_fr": self.description.fr if self.description else None,
            "kind": self.kind.value,
            "modality": self.modality.value,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "time_zone": self.time_zone,
            "capacity": self.capacity,
            "venue": self.venue,
            "address": self.address,
            "join_url": self.join_url,
            "series_id": self.series_id,
            "credit_policy": self.credit_policy.model_dump_json() if self.credit_policy else None,
        }

    def ticket_rows(self) -> list[domain.TicketType]:
        return [domain.TicketType(t.kind.value, t.price_cents, t.currency) for t in self.ticket_types]


class NewGathering(GatheringIn):
    status: Literal["draft", "open"] = "open"


class GatheringChange(BaseModel):
    """Only the fields sent change; the result must still be a valid gathering."""

    title: Bilingual | None = None
    description: Bilingual | None = None
    kind: GatheringKind | None = None
    modality: Modality | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    time_zone: str | None = Field(default=None, max_length=100)
    capacity: int | None = Field(default=None, ge=0, le=100_000)
    venue: CleanStr | None = Field(default=None, max_length=300)
    address: CleanStr | None = Field(default=None, max_length=500)
    join_url: str | None = Field(default=None, max_length=2000, pattern=HTTPS_URL)
    series_id: uuid.UUID | None = None
    credit_policy: CreditPolicyIn | None = None
    ticket_types: list[TicketTypeIn] | None = Field(default=None, min_length=1)


class StatusChange(BaseModel):
    status: Literal["open", "closed", "cancelled"]
    reason: CleanStr | None = Field(default=None, max_length=1000, description="Told to ticket holders")


class TicketTypeOut(BaseModel):
    kind: str
    price_cents: int
    currency: str


class GatheringOut(BaseModel):
    id: uuid.UUID
    title: Bilingual
    description: Bilingual | None
    kind: GatheringKind
    modality: Modality
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    local_start: str = Field(description="The start as people there read it, e.g. 2027-03-11 12:00 ADT")
    capacity: int
    seats_taken: int
    venue: str | None
    address: str | None
    series_id: uuid.UUID | None
    credit_policy: CreditPolicy | None
    status: GatheringStatus
    ticket_types: list[TicketTypeOut]
    created_by: uuid.UUID | None = Field(
        default=None, description="The staff member who scheduled it (null: before staff tokens)"
    )
    updated_by: uuid.UUID | None = Field(
        default=None, description="The staff member who last changed it or its status (null: nobody yet)"
    )


class SeriesIn(BaseModel):
    title: Bilingual
    cadence: CleanStr = Field(min_length=1, max_length=50, examples=["quarterly"])


class SeriesOut(BaseModel):
    id: uuid.UUID
    title: Bilingual
    cadence: str
    dates: list[datetime] = Field(description="When its gatherings start, in order")
    created_by: uuid.UUID | None = Field(
        default=None, description="The staff member who created it (null: before staff tokens)"
    )


def gathering_out(row: Gathering, ticket_types: list[domain.TicketType]) -> GatheringOut:
    local = row.starts_at.astimezone(ZoneInfo(row.time_zone))
    return GatheringOut(
        id=row.id,
        title=events.title(row),
        description=events.description(row),
        kind=GatheringKind(row.kind),
        modality=Modality(row.modality),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        time_zone=row.time_zone,
        local_start=local.strftime("%Y-%m-%d %H:%M %Z"),
        capacity=row.capacity,
        seats_taken=row.seats_taken,
        venue=row.venue,
        address=row.address,
        series_id=row.series_id,
        credit_policy=events.credit_policy(row),
        status=GatheringStatus(row.status),
        ticket_types=[TicketTypeOut(**vars(t)) for t in ticket_types],
        created_by=row.created_by,
        updated_by=row.updated_by,
    )


async def show(conn: Connection, row: Gathering) -> GatheringOut:
    return gathering_out(row, await store.gatherings.ticket_types(conn, row.id))


def _as_input(row: Gathering, ticket_types: list[domain.TicketType]) -> dict[str, Any]:
    """The stored gathering in GatheringIn's shape, to merge a change into."""
    out = gathering_out(row, ticket_types).model_dump(exclude_none=True)
    return out | {"join_url": row.join_url, "ticket_types": [dataclasses.asdict(t) for t in ticket_types]}


def _columns_of(sent: dict[str, Any]) -> set[str]:
    """The stored columns behind the request fields that were sent."""
    names = set(sent)
    for bilingual in ("title", "description"):
        if bilingual in names:
            names |= {f"{bilingual}_en", f"{bilingual}_fr"}
    return names


def validate(model: type[GatheringIn], data: object) -> GatheringIn:
    """Validate data the request did not carry whole (a change merged into the current record):
    errors answer 422 naming the field, as a bad request body does."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None


@router.post("/series", status_code=status.HTTP_201_CREATED, tags=["series"])
async def create_series(caller: Coordinator, body: SeriesIn, pool: Pool) -> SeriesOut:
    async with begin(pool, SERVICE) as work:
        row = await gatherings.create_series(
            work, body.title.en, body.title.fr, body.cadence, by=staff_member(caller)
        )
    return SeriesOut(id=row.id, title=body.title, cadence=body.cadence, dates=[], created_by=row.created_by)


@router.get("/series/{series_id}", tags=["series"])
async def show_series(_: StaffOrPublic, series_id: uuid.UUID, pool: Pool) -> SeriesOut:
    async with pool.acquire() as conn:
        row = await store.gatherings.get_series(conn, series_id)
        if row is None:
            raise domain.NotFound(f"no series {series_id}")
        members, _count = await store.gatherings.list_gatherings(
            conn, status=None, series_id=series_id, limit=500
        )
    return SeriesOut(
        id=row.id,
        title=Bilingual(en=row.title_en, fr=row.title_fr),
        cadence=row.cadence,
        dates=[g.starts_at for g in members if g.status != GatheringStatus.CANCELLED],
        created_by=row.created_by,
    )


@router.post("/gatherings", status_code=status.HTTP_201_CREATED)
async def schedule_gathering(caller: Coordinator, body: NewGathering, pool: Pool) -> GatheringOut:
    """Schedule a gathering (open for registration, or a draft to open later); `created_by` is the
    staff member the token names."""
    async with begin(pool, SERVICE) as work:
        row = await gatherings.schedule(
            work, body.columns(), body.ticket_rows(), GatheringStatus(body.status), by=staff_member(caller)
        )
        return await show(work.conn, row)


@router.get("/gatherings")
async def list_gatherings(
    _: StaffOrPublic,
    pool: Pool,
    response: Response,
    status: GatheringStatus | None = None,
    series_id: uuid.UUID | None = None,
    ending_after: Annotated[AwareDatetime | None, Query(description="Only those not over by then")] = None,
    newest_first: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[GatheringOut]:
    """Gatherings by start, a page at a time (`X-Total-Count`: how many match)."""
    async with pool.acquire() as conn:
        rows, total = await store.gatherings.list_gatherings(
            conn,
            status=status.value if status else None,
            series_id=series_id,
            limit=limit,
            offset=offset,
            ending_after=_utc_or_earliest(ending_after),
            newest_first=newest_first,
        )
        response.headers[TOTAL_HEADER] = str(total)
        return [await show(conn, row) for row in rows]


def _utc_or_earliest(moment: datetime | None) -> datetime | None:
    """The instant in UTC; one before year 1 there (0001-01-01T00:00+05:00) is earlier than every
    gathering, as the earliest instant Postgres and Python share."""
    if moment is None:
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


@router.get("/gatherings/{gathering_id}")
async def show_gathering(_: StaffOrPublic, gathering_id: uuid.UUID, pool: Pool) -> GatheringOut:
    async with pool.acquire() as conn:
        return await show(conn, await store.gatherings.known_gathering(conn, gathering_id))


@router.patch("/gatherings/{gathering_id}")
async def change_gathering(
    caller: Coordinator, gathering_id: uuid.UUID, body: GatheringChange, pool: Pool, settings: Settings
) -> GatheringOut:
    """Change a gathering (GatheringUpdated tells the other services; `updated_by` names the staff
    member). Raising the capacity offers the new seats to those waiting first."""
    async with begin(pool, SERVICE) as work:
        current = await store.gatherings.known_gathering(work.conn, gathering_id)
        types = await store.gatherings.ticket_types(work.conn, gathering_id)
        sent = body.model_dump(exclude_unset=True)
        merged = validate(GatheringIn, _as_input(current, types) | sent)
        columns = merged.columns()
        changed = {c: columns[c] for c in columns if c in _columns_of(sent)}
        row = await gatherings.change(
            work,
            gathering_id,
            changed,
            merged.ticket_rows() if "ticket_types" in sent else None,
            hold_seconds=settings.waitlist_hold_seconds,
            by=staff_member(caller),
        )
        return await show(work.conn, row)


@router.post("/gatherings/{gathering_id}/status")
async def change_status(
    caller: Coordinator, gathering_id: uuid.UUID, body: StatusChange, pool: Pool, settings: Settings
) -> GatheringOut:
    """Open a draft, close sales, reopen them, or cancel (final; ticket holders are told);
    `updated_by` names the staff member."""
    async with begin(pool, SERVICE) as work:
        row = await gatherings.set_status(
            work,
            gathering_id,
            GatheringStatus(body.status),
            reason=body.reason,
            hold_seconds=settings.waitlist_hold_seconds,
            by=staff_member(caller),
        )
        return await show(work.conn, row)
