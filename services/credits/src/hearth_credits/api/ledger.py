"""A person's ledger, their progress through a cycle, and their transcript (JSON, CSV or PDF)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from hearth_shared.api import Problem
from hearth_shared.db import Connection

from .. import store
from ..domain.cycles import LABEL_PATTERN, Cycle, CycleRule, NotACycle, Progress
from ..store.ledger import LedgerLine
from . import documents
from .deps import Pool, Rule, Staff

router = APIRouter(tags=["credits"])


class EntryOut(BaseModel):
    id: uuid.UUID
    activity_id: uuid.UUID
    title_en: str | None
    title_fr: str | None
    activity_date: date | None
    kind: Literal["award", "reversal"]
    hours: Decimal
    category: str
    cycle: str
    reverses: uuid.UUID | None
    basis: str
    recorded_at: datetime


class ProgressOut(BaseModel):
    person_id: uuid.UUID
    cycle: str
    starts_on: date
    ends_before: date
    earned: Decimal
    carried_in: Decimal
    total: Decimal
    required: Decimal
    remaining: Decimal


class TranscriptRow(BaseModel):
    date: date
    activity: str
    category: str
    hours: Decimal


class TranscriptOut(BaseModel):
    person_id: uuid.UUID
    cycle: str
    rows: list[TranscriptRow]
    progress: ProgressOut


def entry_out(line: LedgerLine) -> EntryOut:
    entry = line.entry
    return EntryOut(
        id=entry.id,
        activity_id=entry.activity_id,
        title_en=line.title_en,
        title_fr=line.title_fr,
        activity_date=line.activity_date,
        kind=entry.kind,
        hours=entry.hours,
        category=entry.category,
        cycle=entry.cycle,
        reverses=entry.reverses,
        basis=entry.basis,
        recorded_at=line.recorded_at,
    )


# A cycle's label, the current one when left out. The pattern (which labels name a cycle) is for
# the document only: it needs back-references, which pydantic's regex engine lacks; `cycle_named`
# checks the label.
CycleLabel = Annotated[
    str | None, Query(max_length=9, examples=["2026-2027"], json_schema_extra={"pattern": LABEL_PATTERN})
]


def cycle_named(rule: CycleRule, label: str | None) -> Cycle:
    """The cycle a request names (the current one by default)."""
    if label is None:
        return rule.cycle_of(datetime.now(UTC).date())
    try:
        return rule.named(label)
    except NotACycle as exc:
        raise Problem(422, "invalid", str(exc), "cycle") from None


async def progress(conn: Connection, rule: CycleRule, person_id: uuid.UUID, cycle: Cycle) -> Progress:
    earned = await store.ledger.hours_in_cycle(conn, person_id, cycle.label)
    before = await store.ledger.hours_in_cycle(conn, person_id, cycle.previous.label)
    return rule.progress(earned, before)


def progress_out(person_id: uuid.UUID, cycle: Cycle, figures: Progress) -> ProgressOut:
    return ProgressOut(
        person_id=person_id, cycle=cycle.label, starts_on=cycle.starts_on, ends_before=cycle.ends_before,
        **vars(figures),
    )  # fmt: skip


@router.get("/people/{person_id}/ledger")
async def show_ledger(_: Staff, pool: Pool, person_id: uuid.UUID, cycle: CycleLabel = None) -> list[EntryOut]:
    """Every entry, awards and reversals, oldest first."""
    async with pool.acquire() as conn:
        return [entry_out(line) for line in await store.ledger.lines(conn, person_id, cycle)]


@router.get("/people/{person_id}/progress")
async def show_progress(
    _: Staff, pool: Pool, rule: Rule, person_id: uuid.UUID, cycle: CycleLabel = None
) -> ProgressOut:
    """Hours in the cycle (the current one by default) against what is required."""
    period = cycle_named(rule, cycle)
    async with pool.acquire() as conn:
        return progress_out(person_id, period, await progress(conn, rule, person_id, period))


class StandingOut(BaseModel):
    cycle: str
    required: Decimal
    people: int = Field(description="Everyone credits knows (not erased)")
    behind: int = Field(description="Below the required hours for the cycle, carry-over counted")
    done: int = Field(description="At or above the required hours")
    counted_at: datetime


# Counting a cycle reads every ledger row in it (1,000,000 rows: ~0.2 s), and the dashboard asks on
# every view: the count is kept a minute per cycle. A figure a minute old is good enough at a glance.
STANDING_SECONDS = 60.0
_standing: dict[str, tuple[float, StandingOut]] = {}


@router.get("/progress/summary")
async def show_standing(_: Staff, pool: Pool, rule: Rule, cycle: CycleLabel = None) -> StandingOut:
    """How many people are behind for the cycle (the current one by default), at a glance;
    counted at most once a minute."""
    period = cycle_named(rule, cycle)
    kept = _standing.get(period.label)
    if kept and time.monotonic() - kept[0] < STANDING_SECONDS:
        return kept[1]
    async with pool.acquire() as conn:
        found = await store.progress.standing(
            conn, period.label, period.previous.label, rule.required_hours, rule.carry_over_hours
        )
    out = StandingOut(
        cycle=period.label, required=rule.required_hours, counted_at=datetime.now(UTC), **vars(found)
    )
    _standing[period.label] = (time.monotonic(), out)
    return out


@router.get(
    "/people/{person_id}/transcript",
    responses={200: {"content": {"text/csv": {}, "application/pdf": {}}}},
)
async def transcript(
    _: Staff,
    pool: Pool,
    rule: Rule,
    person_id: uuid.UUID,
    cycle: CycleLabel = None,
    format: Literal["json", "csv", "pdf"] = "json",
    language: Literal["en", "fr"] | None = None,
) -> Response:
    """The cycle's activities with net hours; its totals are the ledger's sums."""
    period = cycle_named(rule, cycle)
    async with pool.acquire() as conn:
        lines = await store.ledger.lines(conn, person_id, period.label)
        figures = await progress(conn, rule, person_id, period)
        person = await store.people.get(conn, person_id)
    chosen = language or (person.language if person else "en")
    rows = documents.transcript_rows(lines, chosen)
    if format == "csv":
        return Response(
            documents.transcript_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="transcript-{period.label}.csv"'},
        )
    if format == "pdf":
        pdf = documents.transcript_pdf(person.name if person else None, period.label, rows, figures, chosen)
        return Response(pdf, media_type="application/pdf")
    body = TranscriptOut(
        person_id=person_id,
        cycle=period.label,
        rows=[TranscriptRow(**r) for r in rows],
        progress=progress_out(person_id, period, figures),
    )
    return Response(body.model_dump_json(), media_type="application/json")
