"""Each service's AsyncAPI 3.0 document, generated with FastStream from the service's handlers
and the events it publishes.

The broker built here only describes: it is never connected. (The kit consumes and publishes with
aio-pika; see consumer.py for why.)"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from operator import or_
from typing import Any

from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue
from faststream.specification import AsyncAPI

from ..contracts import CloudEvent, EventData
from .handlers import Handler
from .topology import Names


def asyncapi_document(
    names: Names, handlers: Sequence[Handler], publishes: Sequence[type[EventData]]
) -> dict[str, Any]:
    broker = RabbitBroker(apply_types=False)
    events = RabbitExchange(names.events_exchange, type=ExchangeType.TOPIC, durable=True)
    for handler in handlers:

        async def receives(message: Any) -> None:
            """Documentation only."""

        receives.__name__ = handler.name
        receives.__annotations__ = {
            "message": reduce(or_, [CloudEvent[m] for m in handler.accepts]),  # type: ignore[valid-type]
            "return": None,
        }
        broker.subscriber(
            RabbitQueue(
                names.handler_queue(handler.name),
                queue_type=QueueType.QUORUM,
                routing_key=" | ".join(handler.routing_keys),
            ),
            exchange=events,
            title=names.handler_key(handler.name),
            description=(handler.fn.__doc__ or handler.name).strip(),
        )(receives)
    for model in publishes:
        broker.publisher(
            exchange=events,
            routing_key=model.routing_key(),
            title=model.routing_key(),
            description=(model.__doc__ or "").strip() or None,
            schema=CloudEvent[model],  # type: ignore[valid-type]
            persist=True,
        )
    spec = AsyncAPI(
        broker,
        title=f"Hearth {names.service}",
        version="1.0.0",
        description=f"Events the {names.service} service consumes and publishes.",
    )
    return spec.to_specification().to_jsonable()  # type: ignore[no-any-return]
