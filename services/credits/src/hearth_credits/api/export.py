"""The right of access: an admin asks, through the gateway, for everything credits keeps about one
person (the gateway gathers every service's answer into one document)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from hearth_shared.access import PersonData

from ..events import SERVICE
from ..store import export
from .deps import Admin, Pool

router = APIRouter(tags=["privacy"])


@router.get("/people/{person_id}/export")
async def export_person(_: Admin, pool: Pool, person_id: uuid.UUID) -> PersonData:
    """Every row about the person, table by table (admins only: it holds all their details)."""
    return await export.person(pool, SERVICE, person_id)
