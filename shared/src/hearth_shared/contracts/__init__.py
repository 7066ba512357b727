"""Event contracts: the CloudEvents envelope and the v1 catalogue (`contracts.catalogue`), with
parsing that says exactly what is wrong with a bad message."""

from .catalogue import CATALOGUE
from .envelope import (
    CONTENT_TYPE,
    CloudEvent,
    EventData,
    envelope_json_schema,
    new_event,
    routing_key_for,
)
from .parsing import InvalidJson, PermanentFailure, SchemaViolation, UnknownEventType, parse_event

__all__ = [
    "CATALOGUE",
    "CONTENT_TYPE",
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
