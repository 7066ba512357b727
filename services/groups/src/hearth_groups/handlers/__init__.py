"""Groups' reactions to events, one module each."""

from __future__ import annotations

from hearth_shared.messaging import Handler

HANDLERS: list[Handler] = []
