"""The delivery log: search it, read one delivery, resend one."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import AwareDatetime, BaseModel, Field

from hearth_shared.api import Problem
from hearth_shared.contracts.text import CleanStr
from hearth_shared.messaging import begin

from ..actions import deliveries as log
from ..actions import tickets
from ..domain.errors import Erased, UnknownDelivery
from ..domain.preferences import TEMPLATES
from ..events import SERVICE
from ..store import deliveries
from ..store.deliveries import DeliveryFilter, DeliveryRow
from .deps import TOTAL_HEADER, Coordinator, Pool, Staff

router = APIRouter(tags=["notifications"])

Status = Literal["pending", "sending", "sent", "failed", "suppressed", "held", "digested"]


class DeliveryOut(BaseModel):
    id: uuid.UUID
    source_event_id: str
    correlation_id: str
    person_id: uuid.UUID | None
    template: str
    category: str
    language: str
    to_address: str
    subject: str
    status: str
    attempts: int
    last_error: str | None = Field(description="Why it failed, was deferred or suppressed")
    created_at: datetime
    sent_at: datetime | None
    resent_by: uuid.UUID | None = Field(
        default=None, description="A resend: the staff member who asked for it (null: not a resend)"
    )
    erased_at: datetime | None = Field(
        default=None, description="Set when the person's details were erased (to_address is then 'erased')"
    )

    @classmethod
    def of(cls, row: DeliveryRow) -> DeliveryOut:
        return cls(**asdict(row))


@router.get("/deliveries")
async def search_deliveries(
    _: Staff,
    pool: Pool,
    response: Response,
    to: Annotated[CleanStr | None, Query(max_length=320, description="Recipient address (any case)")] = None,
    person_id: uuid.UUID | None = None,
    status: Status | None = None,
    template: Annotated[
        CleanStr | None, Query(max_length=100, description=f"One of: {', '.join(TEMPLATES)}")
    ] = None,
    source_event_id: Annotated[CleanStr | None, Query(max_length=200)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[DeliveryOut]:
    """The delivery log, newest first, a page at a time (`X-Total-Count`: how many match)."""
    filters = DeliveryFilter(to, person_id, status, template, source_event_id, since, until)
    async with pool.acquire() as conn:
        rows, total = await deliveries.search(conn, filters, limit, offset)
    response.headers[TOTAL_HEADER] = str(total)
    return [DeliveryOut.of(r) for r in rows]


@router.get("/deliveries/{delivery_id}")
async def get_delivery(_: Staff, pool: Pool, delivery_id: uuid.UUID) -> DeliveryOut:
    async with pool.acquire() as conn:
        row = await deliveries.get(conn, delivery_id)
    if row is None:
        raise Problem(404, "not_found", "no delivery has this id", "delivery_id")
    return DeliveryOut.of(row)


class ResendConfirmationsIn(BaseModel):
    ticket_ids: list[uuid.UUID] = Field(min_length=1, max_length=10_000)


class ResendConfirmationsOut(BaseModel):
    resent: int
    skipped: list[uuid.UUID] = Field(
        description="Tickets with nobody to write to: unknown, cancelled, erased"
    )


@router.post("/deliveries/resend", status_code=status.HTTP_201_CREATED)
async def resend_confirmations(
    caller: Coordinator, pool: Pool, body: ResendConfirmationsIn
) -> ResendConfirmationsOut:
    """Each ticket's confirmation sent again, as new entries in the log (their `resent_by`: the
    staff member asking), to the holders' current addresses (the staff registrants page's bulk
    action; the caller names confirmed tickets)."""
    async with begin(pool, SERVICE) as work:
        resent, skipped = await tickets.resend_confirmations(work, body.ticket_ids, by=caller.staff_id)
    return ResendConfirmationsOut(resent=resent, skipped=skipped)


@router.post("/deliveries/{delivery_id}/resend", status_code=status.HTTP_201_CREATED)
async def resend(caller: Coordinator, pool: Pool, delivery_id: uuid.UUID) -> DeliveryOut:
    """Send a delivery again, as a new entry in the log (`resent_by`: the staff member asking), to
    the person's current address."""
    try:
        async with begin(pool, SERVICE) as work:
            row = await log.resend(work, delivery_id, by=caller.staff_id)
    except UnknownDelivery as exc:
        raise Problem(404, "not_found", str(exc), "delivery_id") from exc
    except Erased as exc:
        raise Problem(409, "erased", str(exc)) from exc
    return DeliveryOut.of(row)
