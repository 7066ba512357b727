"""Gateway's reactions to events: erasure (its audit log may quote a person's address)."""

from __future__ import annotations

from hearth_shared.messaging import Handler

from .people import on_person_erasure_requested

HANDLERS: list[Handler] = [on_person_erasure_requested]

__all__ = ["HANDLERS", "on_person_erasure_requested"]
