"""Notifications' HTTP API: the delivery log, for staff to see what was sent and what failed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from hearth_shared.messaging import ServiceRuntime

from . import store


class DeliveryOut(BaseModel):
    id: uuid.UUID
    source_event_id: str
    correlation_id: str
    template: str
    language: str
    to_address: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(tags=["notifications"])

    @api.get("/deliveries")
    async def search_deliveries(
        to: Annotated[str | None, Query(description="recipient address")] = None,
        status: Literal["pending", "sent", "failed"] | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> list[DeliveryOut]:
        assert runtime.pool is not None
        async with runtime.pool.acquire() as conn:
            rows = await store.list_deliveries(conn, to_address=to, status=status, limit=limit)
        return [DeliveryOut(**dict(r)) for r in rows]

    return api
