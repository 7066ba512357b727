"""Notifications' HTTP API (OpenAPI at /docs): the delivery log (search, one delivery, resend) and
each person's preferences."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime, BaseModel, Field

from hearth_shared.api import Problem
from hearth_shared.logs import current_correlation_id
from hearth_shared.messaging import ServiceRuntime

from .domain import TEMPLATES, Category
from .store import deliveries, people

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


class Preferences(BaseModel):
    opted_out: list[Category] = Field(
        default=[], description="Categories this person does not want; critical messages still come"
    )
    group_digest: bool = Field(default=False, description="Group activity once a day instead of at once")


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(tags=["notifications"])

    def pool() -> object:
        assert runtime.pool is not None
        return runtime.pool

    @api.get("/deliveries")
    async def search_deliveries(
        to: Annotated[str | None, Query(description="Recipient address (any case)")] = None,
        person_id: uuid.UUID | None = None,
        status: Status | None = None,
        template: Annotated[str | None, Query(description=f"One of: {', '.join(TEMPLATES)}")] = None,
        source_event_id: str | None = None,
        since: AwareDatetime | None = None,
        until: AwareDatetime | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> list[DeliveryOut]:
        """The delivery log, newest first."""
        filters = {
            "to": to,
            "person_id": person_id,
            "status": status,
            "template": template,
            "source_event_id": source_event_id,
            "since": since,
            "until": until,
        }
        assert runtime.pool is not None
        async with runtime.pool.acquire() as conn:
            rows = await deliveries.search(conn, filters, limit)
        return [DeliveryOut(**dict(r)) for r in rows]

    @api.get("/deliveries/{delivery_id}")
    async def get_delivery(delivery_id: uuid.UUID) -> DeliveryOut:
        assert runtime.pool is not None
        async with runtime.pool.acquire() as conn:
            row = await deliveries.get(conn, delivery_id)
        if row is None:
            raise Problem(404, "not_found", "no delivery has this id", "delivery_id")
        return DeliveryOut(**{k: row[k] for k in DeliveryOut.model_fields})

    @api.post("/deliveries/{delivery_id}/resend", status_code=status.HTTP_201_CREATED)
    async def resend(delivery_id: uuid.UUID) -> DeliveryOut:
        """Send a delivery again, as a new entry in the log, to the person's current address."""
        assert runtime.pool is not None
        async with runtime.pool.acquire() as conn, conn.transaction():
            original = await deliveries.get(conn, delivery_id)
            if original is None:
                raise Problem(404, "not_found", "no delivery has this id", "delivery_id")
            if original["to_address"] == "erased":
                raise Problem(409, "erased", "this person's details were erased at their request")
            current = None
            if original["person_id"] is not None:
                current = (await people.find(conn, [original["person_id"]])).get(original["person_id"])
            address = current.email if current else original["to_address"]
            row = await deliveries.resend(conn, original, address, current_correlation_id())
        return DeliveryOut(**dict(row))

    @api.get("/people/{person_id}/preferences")
    async def get_preferences(person_id: uuid.UUID) -> Preferences:
        assert runtime.pool is not None
        async with runtime.pool.acquire() as conn:
            await _known(conn, person_id)
            found = (await people.preferences(conn, [person_id])).get(person_id)
        if found is None:
            return Preferences()
        opted_out, digest = found
        return Preferences(opted_out=sorted(Category(c) for c in opted_out), group_digest=digest)

    @api.put("/people/{person_id}/preferences")
    async def put_preferences(person_id: uuid.UUID, body: Preferences) -> Preferences:
        """Replace a person's choices."""
        assert runtime.pool is not None
        async with runtime.pool.acquire() as conn:
            await _known(conn, person_id)
            await people.set_preferences(conn, person_id, [str(c) for c in body.opted_out], body.group_digest)
        return body

    return api


async def _known(conn: object, person_id: uuid.UUID) -> None:
    if not await people.find(conn, [person_id]):  # type: ignore[arg-type]
        raise Problem(404, "not_found", "no person with this id has been heard of here", "person_id")
