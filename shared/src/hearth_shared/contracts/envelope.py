"""The CloudEvents 1.0 envelope (structured mode) that every Hearth event travels in.

The AMQP `message_id` equals the envelope `id`; the routing key is derived from `type`, which ends
in the major version (`org.hearth.registration.ticket_purchased.v1` -> routing key
`registration.ticket_purchased.v1`). Systems outside Hearth need nothing but this to publish.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from .text import CleanStr, Timestamp

TYPE_PREFIX = "org.hearth."
CONTENT_TYPE = "application/cloudevents+json"
MAX_EVENT_BYTES = 256 * 1024  # the largest body Hearth accepts (checked before parsing)


class EventData(BaseModel):
    """Base of every event's `data`: immutable, and tolerant of fields added in the same major
    version so that a producer can grow an event without breaking its consumers."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    """The CloudEvents `type`, e.g. `org.hearth.registration.ticket_purchased.v1`."""

    @classmethod
    def routing_key(cls) -> str:
        return routing_key_for(cls.event_type)


DataT = TypeVar("DataT", bound=EventData)


class CloudEvent(BaseModel, Generic[DataT]):
    """A CloudEvents 1.0 document with Hearth's two extension attributes.

    `correlationid` follows one piece of work across services (a ticket purchase and the email it
    causes share it); `causationid` names the event whose handling produced this one.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: Literal["1.0"]
    id: CleanStr = Field(min_length=1, max_length=200)
    source: CleanStr = Field(min_length=1, max_length=500)
    type: CleanStr = Field(min_length=1, max_length=200)
    time: Timestamp
    datacontenttype: Literal["application/json"] = "application/json"
    correlationid: CleanStr = Field(min_length=1, max_length=200)
    causationid: CleanStr | None = Field(default=None, max_length=200)
    data: DataT


def routing_key_for(event_type: str) -> str:
    return event_type.removeprefix(TYPE_PREFIX)


def new_event(
    data: DataT,
    *,
    source: str,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    event_id: str | None = None,
) -> CloudEvent[DataT]:
    """Wrap `data` in a fresh envelope. A new correlation id starts a new piece of work."""
    event_id = event_id or str(uuid.uuid4())
    return CloudEvent[DataT](
        specversion="1.0",
        id=event_id,
        source=source,
        type=data.event_type,
        time=datetime.now(UTC),
        correlationid=correlation_id or event_id,
        causationid=causation_id,
        data=data,
    )


def envelope_json_schema(data_model: type[EventData]) -> dict[str, Any]:
    schema = CloudEvent[data_model].model_json_schema()  # type: ignore[valid-type]
    schema["title"] = data_model.event_type
    schema["properties"]["type"] = {
        "const": data_model.event_type,
        "title": "Type",
        "type": "string",
    }
    return schema
