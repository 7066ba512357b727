"""Registration's reactions to events from other systems, one per event."""

from .attendance import on_attendance_reported
from .members import on_member_upserted

HANDLERS = [on_member_upserted, on_attendance_reported]

__all__ = ["HANDLERS", "on_attendance_reported", "on_member_upserted"]
