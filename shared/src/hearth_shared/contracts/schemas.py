"""JSON Schema of every event in the catalogue, as published in docs/events/."""

from __future__ import annotations

import json
from typing import Any

from .catalogue import CATALOGUE
from .envelope import envelope_json_schema, routing_key_for


def event_schemas() -> dict[str, dict[str, Any]]:
    """`{file name: schema}` for docs/events/, one file per event type."""
    return {
        f"{routing_key_for(event_type)}.json": envelope_json_schema(model)
        for event_type, model in CATALOGUE.items()
    }


def dumps(document: dict[str, Any]) -> str:
    """The one way generated documents are written, so a test can compare them byte for byte."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
