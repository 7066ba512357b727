"""Gateway' reactions to events. None yet: they arrive with the gateway issue."""

from __future__ import annotations

from hearth_shared.messaging import Handler

HANDLERS: list[Handler] = []
