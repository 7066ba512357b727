"""Groups' reactions to events, one module each, named for the event."""

from __future__ import annotations

from hearth_shared.messaging import Handler

from .on_interest_expressed import on_interest_expressed
from .on_person_erasure_requested import on_person_erasure_requested
from .on_ticket_purchased import on_ticket_purchased

HANDLERS: list[Handler] = [on_interest_expressed, on_ticket_purchased, on_person_erasure_requested]
