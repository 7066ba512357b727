"""Attendance arrives in backlogs, so its handler takes the consumer's whole batch."""

from __future__ import annotations

from typing import Any

from hearth_shared.contracts import CloudEvent
from hearth_shared.contracts.catalogue import AttendanceRecorded
from hearth_shared.messaging import Work, handles_batch

from ..actions import attendance
from ..settings import CreditsSettings


# Its concurrency (batches in flight) is the setting `attendance_concurrency`, set in `app`.
@handles_batch(AttendanceRecorded)
async def on_attendance_recorded(ctx: Work, events: list[CloudEvent[Any]]) -> None:
    """Attendance earns credit once its gathering's policy is known (whichever comes first)."""
    settings: CreditsSettings = ctx.settings
    await attendance.record(ctx, events, settings.cycle_rule())
