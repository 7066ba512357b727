"""Attendance (check-in, CSV import of a platform's report) and feedback from those who came."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, EmailStr, Field

from hearth_shared.api import Problem
from hearth_shared.contracts.catalogue import Interest, Language
from hearth_shared.logs import current_correlation_id

from .. import attendance, feedback, store
from ..seats import NotFound
from .common import Deps

MAX_REPORT_BYTES = 5 * 1024 * 1024


class CheckIn(BaseModel):
    person_ids: list[uuid.UUID] = Field(min_length=1, max_length=5000)


class Recorded(BaseModel):
    person_id: uuid.UUID
    email: str
    minutes_attended: int
    revision: int


class RowProblem(BaseModel):
    line: int | None = None
    field: str | None = None
    person_id: uuid.UUID | None = None
    email: str | None = None
    reason: str


class CheckInOut(BaseModel):
    recorded: list[Recorded]
    unchanged: int = Field(description="Already recorded with the same minutes")
    errors: list[RowProblem]


class ImportOut(CheckInOut):
    id: uuid.UUID
    filename: str | None
    rows_read: int
    people_recorded: int
    imported_at: datetime


class AttendanceOut(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    name: str
    email: str
    minutes_attended: int
    revision: int
    source: str
    recorded_at: datetime


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


def router(deps: Deps) -> APIRouter:
    api = APIRouter(tags=["attendance"])

    @api.post("/gatherings/{gathering_id}/check-ins")
    async def check_in(gathering_id: uuid.UUID, body: CheckIn) -> CheckInOut:
        """Staff check people in (one or many): each ticket holder is recorded for the whole
        gathering. Ids that hold no ticket are listed in `errors`; the others are recorded."""
        async with deps.pool().acquire() as conn, conn.transaction():
            outcome = await attendance.check_in(conn, gathering_id, body.person_ids, current_correlation_id())
        return CheckInOut(**vars(outcome))

    @api.post(
        "/gatherings/{gathering_id}/attendance-imports",
        status_code=status.HTTP_201_CREATED,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"text/csv": {"schema": {"type": "string"}}},
                "description": "The platform's attendance report: name, email, join time, leave time, "
                "duration; one row per join. Times without an offset are in the gathering's zone.",
            }
        },
    )
    async def import_attendance(
        gathering_id: uuid.UUID,
        request: Request,
        filename: Annotated[str | None, Query(max_length=200)] = None,
    ) -> ImportOut:
        """Import a video platform's attendance report. Rejoins are merged per person; rows that
        cannot be used are reported by line number (and kept with the import) while the rest are
        recorded, all in one transaction."""
        raw = await request.body()
        if len(raw) > MAX_REPORT_BYTES:
            raise Problem(413, "too_large", f"the report is over {MAX_REPORT_BYTES // 1_048_576} MB", "body")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Problem(
                422, "invalid", f"the report is not UTF-8 text (byte {exc.start})", "body"
            ) from None
        async with deps.pool().acquire() as conn, conn.transaction():
            saved, outcome = await attendance.import_report(
                conn, gathering_id, text, filename, current_correlation_id()
            )
        return ImportOut(**vars(outcome), **_import_fields(saved))

    @api.get("/gatherings/{gathering_id}/attendance-imports")
    async def list_imports(gathering_id: uuid.UUID) -> list[ImportOut]:
        """Past imports with the rows each could not use, newest first."""
        async with deps.pool().acquire() as conn:
            rows = await store.attendance.list_imports(conn, gathering_id)
        return [
            ImportOut(recorded=[], unchanged=0, errors=json.loads(r["errors"]), **_import_fields(r))
            for r in rows
        ]

    @api.get("/gatherings/{gathering_id}/attendance")
    async def list_attendance(gathering_id: uuid.UUID) -> list[AttendanceOut]:
        async with deps.pool().acquire() as conn:
            if await store.gatherings.get_gathering(conn, gathering_id) is None:
                raise NotFound(f"no gathering {gathering_id}")
            return [
                AttendanceOut(**dict(r))
                for r in await store.attendance.list_for_gathering(conn, gathering_id)
            ]

    @api.post("/gatherings/{gathering_id}/feedback", status_code=status.HTTP_201_CREATED, tags=["feedback"])
    async def give_feedback(gathering_id: uuid.UUID, body: FeedbackIn) -> FeedbackOut:
        """Feedback from someone who attended, with what they would like to follow up on."""
        follow_up = [feedback.FollowUp(f.interest, f.practice_area, f.language) for f in body.follow_up]
        async with deps.pool().acquire() as conn, conn.transaction():
            row = await feedback.submit(
                conn,
                gathering_id,
                body.email,
                body.benefit_rating,
                body.comments,
                follow_up,
                current_correlation_id(),
            )
        return _feedback_out(row)

    @api.get("/gatherings/{gathering_id}/feedback", tags=["feedback"])
    async def list_feedback(gathering_id: uuid.UUID) -> list[FeedbackOut]:
        async with deps.pool().acquire() as conn:
            return [_feedback_out(r) for r in await store.attendance.list_feedback(conn, gathering_id)]

    return api


def _import_fields(row: Any) -> dict[str, Any]:
    return {k: row[k] for k in ("id", "filename", "rows_read", "people_recorded", "imported_at")}


def _feedback_out(row: Any) -> FeedbackOut:
    return FeedbackOut(
        **{k: row[k] for k in ("id", "person_id", "benefit_rating", "comments", "submitted_at")},
        follow_up=json.loads(row["follow_up"]),
    )
