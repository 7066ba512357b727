"""Event contracts: the CloudEvents envelope and the v1 catalogue (`contracts.catalogue`).

Parsing a delivery, and the failures it can raise, belong to the messaging kit
(`hearth_shared.messaging`): the contracts describe events and know nothing of deliveries.
"""

from __future__ import annotations

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

__all__ = [
    "CATALOGUE",
    "CONTENT_TYPE",
    "MAX_EVENT_BYTES",
    "CloudEvent",
    "EventData",
    "envelope_json_schema",
    "new_event",
    "routing_key_for",
]
