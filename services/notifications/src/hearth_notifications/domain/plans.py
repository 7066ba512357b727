"""Planned sends: reminders a fixed elapsed time before a gathering or group meeting starts, the
feedback request after a gathering ends, and the clock they are measured on."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]
"""Now, as the scheduler and the planners see it (tests move it across a change of clocks)."""


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Plan:
    """A send planned relative to a subject's start (negative offset: before) or end."""

    template: str
    offset_seconds: int
    fire_at: datetime

    @property
    def lead(self) -> timedelta:
        """How long before the start a reminder goes out."""
        return timedelta(seconds=-self.offset_seconds)


def gathering_plans(
    starts_at: datetime, ends_at: datetime, reminders: list[timedelta], feedback_after: timedelta
) -> list[Plan]:
    """Reminders a fixed elapsed time before the start (24 h before is 24 real hours, even across a
    change of clocks), and the feedback request after the end."""
    plans = [Plan("reminder", -int(r.total_seconds()), starts_at - r) for r in reminders]
    plans.append(Plan("feedback_request", int(feedback_after.total_seconds()), ends_at + feedback_after))
    return plans


def meeting_plans(starts_at: datetime, reminders: list[timedelta]) -> list[Plan]:
    return [Plan("group_meeting_reminder", -int(r.total_seconds()), starts_at - r) for r in reminders]


def source_of_plan(subject_id: uuid.UUID, plan: Plan) -> str:
    """What a fired plan's deliveries answer (their source and correlation id): one per subject,
    template, offset and instant, so a plan moved and fired again writes new deliveries."""
    return ":".join(
        ["plan", str(subject_id), plan.template, str(plan.offset_seconds), plan.fire_at.isoformat()]
    )
