"""Each person's email preferences, as the public email-preferences page (opened by a signed link)
reads and sets them, and the RFC 8058 one-click unsubscribe a mail client posts (through the
gateway's `/unsubscribe/{token}`, which proves the person and category from the link)."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from hearth_shared.api import Problem
from hearth_shared.messaging import begin

from ..actions import preferences as choices
from ..domain import preferences
from ..domain.errors import UnknownPerson
from ..domain.preferences import OPTIONAL, Digest
from ..events import SERVICE
from .deps import Pool, Public, StaffOrPublic

router = APIRouter(tags=["notifications"])

# The categories a person can opt out of; confirmations, offers, payment and certificates are
# critical and always sent.
OptOut = StrEnum("OptOut", {c.name: c.value for c in OPTIONAL})  # type: ignore[misc]


class Preferences(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opted_out: list[OptOut] = Field(
        default=[],
        max_length=len(OPTIONAL),
        description="Categories this person does not want; critical messages still come",
    )
    digest: Digest = Field(
        default=Digest.NONE, description="Group activity at once (none) or gathered weekly (or daily)"
    )
    language: Literal["en", "fr"] | None = Field(
        default=None, description="The language of their emails (null: as registration gives it)"
    )


class Unsubscribe(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: OptOut


def _unknown(exc: UnknownPerson) -> Problem:
    return Problem(404, "not_found", str(exc), "person_id")


def _shown(found: preferences.Preferences) -> Preferences:
    optional = {str(c) for c in OPTIONAL}
    return Preferences(
        opted_out=sorted(OptOut(c) for c in found.opted_out if c in optional),
        digest=found.digest,
        language=found.language,
    )


@router.get("/people/{person_id}/preferences", responses={404: {"description": "Unknown person"}})
async def get_preferences(_: StaffOrPublic, pool: Pool, person_id: uuid.UUID) -> Preferences:
    async with pool.acquire() as conn:
        try:
            found = await choices.current(conn, person_id)
        except UnknownPerson as exc:
            raise _unknown(exc) from exc
    return _shown(found)


@router.put("/people/{person_id}/preferences", responses={404: {"description": "Unknown person"}})
async def put_preferences(_: Public, pool: Pool, person_id: uuid.UUID, body: Preferences) -> Preferences:
    """Replace a person's choices."""
    chosen = preferences.Preferences(frozenset(str(c) for c in body.opted_out), body.digest, body.language)
    try:
        async with begin(pool, SERVICE) as work:
            await choices.choose(work, person_id, chosen)
    except UnknownPerson as exc:
        raise _unknown(exc) from exc
    return _shown(chosen)


@router.post("/people/{person_id}/unsubscribe", responses={404: {"description": "Unknown person"}})
async def unsubscribe(_: Public, pool: Pool, person_id: uuid.UUID, body: Unsubscribe) -> Preferences:
    """Opt out of one category (a one-click List-Unsubscribe-Post), keeping every other choice;
    repeating it changes nothing. Answers the preferences as they now are."""
    category = preferences.Category(str(body.category))
    try:
        async with begin(pool, SERVICE) as work:
            found = await choices.unsubscribe(work, person_id, category)
    except UnknownPerson as exc:
        raise _unknown(exc) from exc
    return _shown(found)
