"""Other systems' attendance figures become attendance records."""

from __future__ import annotations

from hearth_shared.contracts.catalogue import AttendanceReported
from hearth_shared.messaging import HandlerContext, handles

from ..actions import attendance


@handles(AttendanceReported)
async def on_attendance_reported(ctx: HandlerContext, report: AttendanceReported) -> None:
    """A video platform's figure for one person becomes their attendance record."""
    await attendance.record_reported(ctx, report)
