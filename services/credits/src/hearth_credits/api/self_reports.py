"""Self-reported activities: a person reports one, staff list and decide on them."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Literal

import structlog
from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from hearth_shared.api import Problem
from hearth_shared.contracts.catalogue import CreditCategory
from hearth_shared.contracts.numbers import TwoPlaces
from hearth_shared.contracts.text import CleanStr
from hearth_shared.messaging import begin

from .. import store
from ..actions import self_reports
from ..domain.self_reports import AlreadyDecided, ReasonRequired, SelfReportNotFound, SelfReportRefused
from ..events import SERVICE
from .deps import TOTAL_HEADER, Coordinator, Pool, Rule, Staff

log = structlog.get_logger(__name__)

router = APIRouter(tags=["credits"])


class SelfReportIn(BaseModel):
    title: CleanStr = Field(min_length=1, max_length=300, examples=["Trauma-informed practice course"])
    category: CreditCategory
    hours: TwoPlaces = Field(gt=0, le=100, decimal_places=2)
    activity_date: date
    evidence: CleanStr = Field(min_length=1, max_length=5000, description="What shows it happened")


class SelfReportOut(SelfReportIn):
    id: uuid.UUID
    person_id: uuid.UUID
    status: Literal["pending", "approved", "rejected"]
    decision_reason: str | None
    submitted_at: datetime
    decided_at: datetime | None
    submitted_by: uuid.UUID | None = Field(
        default=None, description="The staff member who entered it (null: before staff tokens)"
    )
    decided_by: uuid.UUID | None = Field(
        default=None, description="The staff member who approved or rejected it (null: not decided yet)"
    )


# The rule the domain checks (a rejection needs a reason), stated in the document: an approval, or a
# rejection with a non-empty reason. Validation stays one model, so a missing reason is answered
# by the domain's 422 naming `reason`.
_APPROVE_OR_REJECT: JsonDict = {
    "anyOf": [
        {"properties": {"approved": {"const": True}}},
        {
            "properties": {"approved": {"const": False}, "reason": {"type": "string", "minLength": 1}},
            "required": ["reason"],
        },
    ]
}


class Decision(BaseModel):
    model_config = ConfigDict(json_schema_extra=_APPROVE_OR_REJECT)

    approved: bool
    reason: CleanStr | None = Field(default=None, max_length=2000, description="Required to reject")


@router.post("/people/{person_id}/self-reports", status_code=status.HTTP_201_CREATED, tags=["self-reports"])
async def report_activity(
    caller: Coordinator, pool: Pool, person_id: uuid.UUID, body: SelfReportIn
) -> SelfReportOut:
    """An activity outside Hearth (a course, reading, supervision), for staff to decide on
    (`submitted_by`: the staff member entering it)."""
    async with begin(pool, SERVICE) as work:
        report = await self_reports.submit(
            work,
            person_id,
            title=body.title,
            category=body.category.value,
            hours=body.hours,
            activity_date=body.activity_date,
            evidence=body.evidence,
            by=caller.staff_id,
        )
    return SelfReportOut(**asdict(report))


@router.get("/self-reports", tags=["self-reports"])
async def list_self_reports(
    _: Staff,
    pool: Pool,
    response: Response,
    status: Literal["pending", "approved", "rejected", "any"] = "pending",
    person_id: Annotated[uuid.UUID | None, Query()] = None,
    newest_first: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[SelfReportOut]:
    """Reports by submission (oldest first unless `newest_first`), a page at a time
    (`X-Total-Count`: how many match)."""
    async with pool.acquire() as conn:
        found, total = await store.self_reports.matching(
            conn,
            status=None if status == "any" else status,
            person_id=person_id,
            limit=limit,
            offset=offset,
            newest_first=newest_first,
        )
    response.headers[TOTAL_HEADER] = str(total)
    return [SelfReportOut(**asdict(report)) for report in found]


@router.post("/self-reports/{report_id}/decision", tags=["self-reports"])
async def decide(
    caller: Coordinator, pool: Pool, rule: Rule, report_id: uuid.UUID, body: Decision
) -> SelfReportOut:
    """Approve (the hours enter the ledger) or reject with a reason; `decided_by` is the staff
    member the token names."""
    try:
        async with begin(pool, SERVICE) as work:
            decided = await self_reports.decide(
                work, report_id, approved=body.approved, reason=body.reason, rule=rule, by=caller.staff_id
            )
    except SelfReportRefused as refused:
        raise _problem(refused) from None
    # The staff member who decided is stored (decided_by) and in the line (staff_id, bound for
    # every request).
    log.info("self-report decided", report_id=str(report_id), status=decided.status)
    return SelfReportOut(**asdict(decided))


def _problem(refused: SelfReportRefused) -> Problem:
    if isinstance(refused, ReasonRequired):
        return Problem(422, "invalid", refused.message, "reason")
    if isinstance(refused, SelfReportNotFound):
        return Problem(404, "not_found", refused.message)
    if isinstance(refused, AlreadyDecided):
        return Problem(409, "already_decided", refused.message)
    raise AssertionError(f"unmapped refusal {refused!r}")
