"""Registration's reactions to events from other systems, one per event."""

from .attendance import on_attendance_reported
from .members import on_member_upserted
from .payments import on_payment_received
from .people import on_person_erasure_requested

HANDLERS = [on_member_upserted, on_attendance_reported, on_person_erasure_requested, on_payment_received]

__all__ = [
    "HANDLERS",
    "on_attendance_reported",
    "on_member_upserted",
    "on_payment_received",
    "on_person_erasure_requested",
]
