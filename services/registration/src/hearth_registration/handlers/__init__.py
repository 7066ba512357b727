"""Registration's reactions to events from other systems, one per event."""

from .attendance import on_attendance_reported
from .members import on_member_upserted
from .people import on_person_erasure_requested

HANDLERS = [on_member_upserted, on_attendance_reported, on_person_erasure_requested]

__all__ = ["HANDLERS", "on_attendance_reported", "on_member_upserted", "on_person_erasure_requested"]
