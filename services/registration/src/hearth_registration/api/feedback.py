"""Feedback from those who came, with what they would like to follow up on."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, EmailStr, Field

from hearth_shared.contracts.catalogue import Interest, Language
from hearth_shared.messaging import begin

from .. import domain, store
from ..actions import feedback
from ..events import SERVICE
from .deps import Pool, Public, Staff

router = APIRouter(tags=["attendance", "feedback"])


class FollowUpIn(BaseModel):
    interest: Interest
    practice_area: str | None = Field(default=None, max_length=100, examples=["housing_and_poverty"])
    language: Language | None = Field(default=None, description="Leave out: your preferred language")


class FeedbackIn(BaseModel):
    email: EmailStr
    benefit_rating: int = Field(ge=1, le=5, description="How much it helped you, 1 (not) to 5 (a lot)")
    comments: str | None = Field(default=None, max_length=5000)
    follow_up: list[FollowUpIn] = Field(default_factory=list, max_length=10)


class FeedbackOut(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    benefit_rating: int
    comments: str | None
    follow_up: list[dict[str, Any]]
    submitted_at: datetime


@router.post("/gatherings/{gathering_id}/feedback", status_code=status.HTTP_201_CREATED)
async def give_feedback(_: Public, gathering_id: uuid.UUID, body: FeedbackIn, pool: Pool) -> FeedbackOut:
    """Feedback from someone who attended, with what they would like to follow up on."""
    follow_up = [domain.FollowUp(f.interest, f.practice_area, f.language) for f in body.follow_up]
    async with begin(pool, SERVICE) as work:
        row = await feedback.submit(
            work, gathering_id, body.email, body.benefit_rating, body.comments, follow_up
        )
    return FeedbackOut(**vars(row))


@router.get("/gatherings/{gathering_id}/feedback")
async def list_feedback(_: Staff, gathering_id: uuid.UUID, pool: Pool) -> list[FeedbackOut]:
    async with pool.acquire() as conn:
        return [FeedbackOut(**vars(r)) for r in await store.feedback.list_feedback(conn, gathering_id)]
