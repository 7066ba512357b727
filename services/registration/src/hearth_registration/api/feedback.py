"""Feedback from those who came, with what they would like to follow up on: one submission per
attendee, which the attendee (through their signed link) gives, edits and reads; staff read all."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from hearth_shared.contracts.catalogue import Interest, Language
from hearth_shared.contracts.text import CleanStr, Email
from hearth_shared.messaging import begin

from .. import domain, store
from ..actions import feedback
from ..events import SERVICE
from .deps import Coordinator, Pool, Public, Settings, Staff, StaffOrPublic

router = APIRouter(tags=["attendance", "feedback"])


class FollowUpIn(BaseModel):
    interest: Interest
    practice_area: CleanStr | None = Field(default=None, max_length=100, examples=["housing_and_poverty"])
    language: Language | None = Field(default=None, description="Leave out: your preferred language")


class FeedbackAnswers(BaseModel):
    benefit_rating: int = Field(ge=1, le=5, description="How much it helped you, 1 (not) to 5 (a lot)")
    comments: CleanStr | None = Field(default=None, max_length=5000)
    follow_up: list[FollowUpIn] = Field(default_factory=list, max_length=10)

    def wishes(self) -> list[domain.FollowUp]:
        return [domain.FollowUp(f.interest, f.practice_area, f.language) for f in self.follow_up]


class FeedbackIn(FeedbackAnswers):
    email: Email


class FeedbackOut(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    benefit_rating: int
    comments: str | None
    follow_up: list[dict[str, Any]]
    submitted_at: datetime
    updated_at: datetime | None = Field(default=None, description="Set once edited")


@router.post("/gatherings/{gathering_id}/feedback", status_code=status.HTTP_201_CREATED)
async def give_feedback(
    _: Coordinator, gathering_id: uuid.UUID, body: FeedbackIn, pool: Pool, settings: Settings
) -> FeedbackOut:
    """Feedback staff enter for someone who attended (a paper form, an email), naming them by
    email; a second submission is refused (edit with PUT). Staff only: an email typed into a form
    proves nothing, so the public site gives feedback by the person of its signed link (PUT)."""
    async with begin(pool, SERVICE) as work:
        row = await feedback.submit(
            work,
            gathering_id,
            body.email,
            body.benefit_rating,
            body.comments,
            body.wishes(),
            open_for=_open_for(settings.feedback_open_days),
        )
    return FeedbackOut(**vars(row))


@router.put("/gatherings/{gathering_id}/feedback/{person_id}")
async def give_or_edit_feedback(
    _: Public,
    gathering_id: uuid.UUID,
    person_id: uuid.UUID,
    body: FeedbackAnswers,
    pool: Pool,
    settings: Settings,
    response: Response,
) -> FeedbackOut:
    """The attendee's one submission, given (201) or replaced (200) while feedback is open
    (`HEARTH_FEEDBACK_OPEN_DAYS` after the gathering ends; 409 `feedback_closed` after)."""
    async with begin(pool, SERVICE) as work:
        row, created = await feedback.give(
            work,
            gathering_id,
            person_id,
            body.benefit_rating,
            body.comments,
            body.wishes(),
            open_for=_open_for(settings.feedback_open_days),
        )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return FeedbackOut(**vars(row))


@router.get("/gatherings/{gathering_id}/feedback/{person_id}")
async def show_feedback(
    _: StaffOrPublic, gathering_id: uuid.UUID, person_id: uuid.UUID, pool: Pool
) -> FeedbackOut:
    """One attendee's submission (404 when they have given none): what their feedback page shows."""
    async with pool.acquire() as conn:
        row = await store.feedback.feedback_of(conn, gathering_id, person_id)
    if row is None:
        raise domain.NotFound(f"no feedback from this person for gathering {gathering_id}")
    return FeedbackOut(**vars(row))


@router.get("/gatherings/{gathering_id}/feedback")
async def list_feedback(_: Staff, gathering_id: uuid.UUID, pool: Pool) -> list[FeedbackOut]:
    """Every attendee's feedback: staff only (the public site reads one person's, above)."""
    async with pool.acquire() as conn:
        return [FeedbackOut(**vars(r)) for r in await store.feedback.list_feedback(conn, gathering_id)]


def _open_for(days: float) -> timedelta:
    return timedelta(days=days)
