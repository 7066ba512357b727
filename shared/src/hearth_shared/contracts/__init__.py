"""Event contracts: the CloudEvents envelope and the v1 catalogue (`contracts.catalogue`).

Parsing a delivery, and the failures it can raise, belong to the messaging kit
(`hearth_shared.messaging`): the contracts describe events and know nothing of deliveries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .catalogue import CATALOGUE
from .envelope import (
    CONTENT_TYPE,
    MAX_EVENT_BYTES,
    CloudEvent,
    EventData,
    envelope_json_schema,
    new_event,
    routing_key_for,
)

if TYPE_CHECKING:  # removed once the services moved (issue 11)
    from ..messaging.errors import InvalidJson, PermanentFailure, SchemaViolation, UnknownEventType
    from ..messaging.parsing import parse_event

# removed once the services moved (issue 11): the names that moved to `hearth_shared.messaging`,
# still importable from here (resolved lazily: messaging imports the contracts).
_MOVED = {
    "InvalidJson": "errors",
    "PermanentFailure": "errors",
    "SchemaViolation": "errors",
    "UnknownEventType": "errors",
    "parse_event": "parsing",
}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        from importlib import import_module

        return getattr(import_module(f"hearth_shared.messaging.{_MOVED[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CATALOGUE",
    "CONTENT_TYPE",
    "MAX_EVENT_BYTES",
    "CloudEvent",
    "EventData",
    "InvalidJson",
    "PermanentFailure",
    "SchemaViolation",
    "UnknownEventType",
    "envelope_json_schema",
    "new_event",
    "parse_event",
    "routing_key_for",
]
