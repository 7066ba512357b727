"""Turn the bytes of a delivery into a typed event, or say precisely why not.

This is the consumer's first step, so it lives with messaging (not with the contracts, which know
nothing of deliveries): each failure here is a `PermanentFailure` the kit parks at once.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from ..contracts import CATALOGUE, CloudEvent, EventData
from .errors import InvalidJson, SchemaViolation, UnknownEventType


def _describe(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in error.errors())


def parse_event(body: bytes, expected: dict[str, type[EventData]] | None = None) -> CloudEvent[Any]:
    """Parse a structured-mode CloudEvent whose type is in `expected` (default: the catalogue)."""
    catalogue = CATALOGUE if expected is None else expected
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidJson(f"body is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise SchemaViolation("a CloudEvent must be a JSON object")
    event_type = document.get("type")
    model = catalogue.get(event_type) if isinstance(event_type, str) else None
    if model is None:
        raise UnknownEventType(
            f"event type {event_type!r} is not one this handler accepts ({', '.join(sorted(catalogue))})"
        )
    try:
        return CloudEvent[model].model_validate(document)  # type: ignore[valid-type]
    except ValidationError as exc:
        raise SchemaViolation(f"{event_type}: {_describe(exc)}") from exc
