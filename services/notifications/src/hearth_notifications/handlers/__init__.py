"""Notifications' reactions: every event a person should hear about becomes delivery rows (or a
plan to send later); events that name people keep the recipients read model current."""

from __future__ import annotations

from hearth_shared.messaging import Handler

from .credits import on_credits
from .gatherings import on_attendance_recorded, on_gathering, on_ticket
from .groups import on_group
from .people import on_member_upserted, on_person_erasure_requested

HANDLERS: list[Handler] = [
    on_gathering,
    on_ticket,
    on_attendance_recorded,
    on_credits,
    on_group,
    on_member_upserted,
    on_person_erasure_requested,
]
