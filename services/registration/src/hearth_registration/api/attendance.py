"""Attendance: staff check-in, and the import of a video platform's attendance report (CSV)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, Field

from hearth_shared.api import Problem
from hearth_shared.contracts.text import CleanStr
from hearth_shared.messaging import begin

from .. import store
from ..actions import attendance
from ..events import SERVICE
from ..store.attendance import AttendanceImport
from .deps import CheckIn as CheckInStaff
from .deps import Pool, Staff

MAX_REPORT_BYTES = 5 * 1024 * 1024

router = APIRouter(tags=["attendance"])


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
    imported_by: uuid.UUID | None = Field(description="The staff member who imported it")


class AttendanceOut(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    name: str
    email: str
    minutes_attended: int
    revision: int
    source: str
    recorded_at: datetime
    erased_at: datetime | None = Field(default=None, description="Set when the person's details were erased")


def _import_fields(row: AttendanceImport) -> dict[str, Any]:
    return {
        "id": row.id,
        "filename": row.filename,
        "rows_read": row.rows_read,
        "people_recorded": row.people_recorded,
        "imported_at": row.imported_at,
        "imported_by": row.imported_by,
    }


@router.post("/gatherings/{gathering_id}/check-ins")
async def check_in(caller: CheckInStaff, gathering_id: uuid.UUID, body: CheckIn, pool: Pool) -> CheckInOut:
    """Staff check people in (one or many): each ticket holder is recorded for the whole
    gathering. Ids that hold no ticket are listed in `errors`; the others are recorded."""
    async with begin(pool, SERVICE) as work:
        outcome = await attendance.check_in(work, gathering_id, body.person_ids, caller.staff_id)
    return CheckInOut(**vars(outcome))


class UndoneOut(BaseModel):
    person_id: uuid.UUID
    minutes_attended: int = Field(description="0: the check-in is taken back")
    revision: int = Field(description="The correction's revision, as AttendanceRecorded carries it")
    recorded_by: uuid.UUID | None = Field(description="The staff member who undid it")


@router.post("/gatherings/{gathering_id}/check-ins/{person_id}/undo")
async def undo_check_in(
    caller: CheckInStaff, gathering_id: uuid.UUID, person_id: uuid.UUID, pool: Pool
) -> UndoneOut:
    """Take a check-in back (the wrong button at the door): the attendance becomes 0 minutes as
    its next revision, published as AttendanceRecorded (credits reverses the award). 404 when no
    attendance is recorded for the person."""
    async with begin(pool, SERVICE) as work:
        undone = await attendance.undo_check_in(work, gathering_id, person_id, caller.staff_id)
    return UndoneOut(**{k: v for k, v in vars(undone).items() if k in UndoneOut.model_fields})


@router.post(
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
    caller: CheckInStaff,
    gathering_id: uuid.UUID,
    request: Request,
    pool: Pool,
    filename: Annotated[CleanStr | None, Query(max_length=200)] = None,
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
        raise Problem(422, "invalid", f"the report is not UTF-8 text (byte {exc.start})", "body") from None
    async with begin(pool, SERVICE) as work:
        saved, outcome = await attendance.import_report(work, gathering_id, text, filename, caller.staff_id)
    return ImportOut(**vars(outcome), **_import_fields(saved))


@router.get("/gatherings/{gathering_id}/attendance-imports")
async def list_imports(_: Staff, gathering_id: uuid.UUID, pool: Pool) -> list[ImportOut]:
    """Past imports with the rows each could not use, newest first."""
    async with pool.acquire() as conn:
        rows = await store.attendance.list_imports(conn, gathering_id)
    return [ImportOut(recorded=[], unchanged=0, errors=r.errors, **_import_fields(r)) for r in rows]


class FiguresOut(BaseModel):
    gathering_id: uuid.UUID
    registered: int = Field(description="Active tickets")
    present: int = Field(description="People with attendance recorded")
    waiting: int = Field(description="Waiting or offered a seat on the waiting list")
    feedback: int
    average_rating: float | None = Field(description="Mean benefit rating (1-5); null without feedback")


@router.get("/gatherings/{gathering_id}/figures")
async def show_figures(_: Staff, gathering_id: uuid.UUID, pool: Pool) -> FiguresOut:
    """The gathering at a glance (the check-in page), counted without listing anyone."""
    async with pool.acquire() as conn:
        await store.gatherings.known_gathering(conn, gathering_id)
        [found] = await store.attendance.figures(conn, [gathering_id])
    return FiguresOut(**vars(found))


@router.get("/gathering-figures")
async def list_figures(
    _: Staff,
    pool: Pool,
    gathering_id: Annotated[list[uuid.UUID], Query(max_length=100, description="Repeat for each")],
) -> list[FiguresOut]:
    """Several gatherings at a glance in one request (the staff dashboard); unknown ids count 0."""
    async with pool.acquire() as conn:
        return [FiguresOut(**vars(f)) for f in await store.attendance.figures(conn, gathering_id)]


@router.get("/gatherings/{gathering_id}/attendance")
async def list_attendance(_: Staff, gathering_id: uuid.UUID, pool: Pool) -> list[AttendanceOut]:
    async with pool.acquire() as conn:
        await store.gatherings.known_gathering(conn, gathering_id)
        return [
            AttendanceOut(**vars(r)) for r in await store.attendance.list_for_gathering(conn, gathering_id)
        ]
