"""Credits' reactions to events: attendance, gatherings' credit policies, feedback, erasure. Each
reconciles the ledger for what it touched; the order they arrive in does not matter."""

from __future__ import annotations

from hearth_shared.messaging import Handler

from .attendance import on_attendance_recorded
from .feedback import on_feedback_submitted
from .gatherings import on_gathering
from .people import on_person_erasure_requested

__all__ = [
    "HANDLERS",
    "on_attendance_recorded",
    "on_feedback_submitted",
    "on_gathering",
    "on_person_erasure_requested",
]

HANDLERS: list[Handler] = [
    on_attendance_recorded,
    on_gathering,
    on_feedback_submitted,
    on_person_erasure_requested,
]
