"""Feedback after a gathering: only from those who attended, once each, with what they would like
to follow up on (which the groups service turns into peer groups)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hearth_shared.contracts.catalogue import GatheringStatus, Interest

from .errors import FeedbackClosed, NotAnAttendee


@dataclass(frozen=True)
class FollowUp:
    interest: Interest
    practice_area: str | None
    language: str | None  # None: the person's preferred language


def check_attended(minutes_attended: int | None) -> None:
    """Feedback needs an attendance record with some minutes (None: no record)."""
    if not minutes_attended:
        raise NotAnAttendee("feedback comes from people recorded as attending this gathering", "email")


def wishes(follow_up: Sequence[FollowUp], preferred_language: str) -> list[dict[str, Any]]:
    """The follow-up as stored and published, each in the person's language unless they chose one."""
    return [
        {
            "interest": f.interest.value,
            "practice_area": f.practice_area,
            "language": f.language or preferred_language,
        }
        for f in follow_up
    ]


def check_feedback_open(
    status: GatheringStatus, ends_at: datetime, now: datetime, open_for: timedelta
) -> None:
    """Feedback is given and edited until `open_for` after the gathering ends; a cancelled
    gathering takes none."""
    if status is GatheringStatus.CANCELLED:
        raise FeedbackClosed("this gathering was cancelled; it takes no feedback")
    if now > ends_at + open_for:
        raise FeedbackClosed("feedback for this gathering has closed")


def new_wishes(wishes: Sequence[dict[str, Any]], before: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The wishes of an edited submission that it did not express before (each is announced once)."""
    return [w for w in wishes if w not in before]
