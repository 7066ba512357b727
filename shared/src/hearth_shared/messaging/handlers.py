"""How a service declares a reaction to an event: `@handles(EventType)` on `async def on_x(ctx, data)`.

The function runs inside the consumer's transaction, after the inbox has accepted the message, so
whatever it writes through `ctx.conn` and publishes through `ctx.publish` happens exactly once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..contracts import CloudEvent, EventData, new_event
from ..db import Connection


@dataclass(frozen=True)
class HandlerContext:
    """The handler's transaction, the event being handled, and publishing that keeps causality."""

    conn: Connection
    event: CloudEvent[Any]
    service: str
    # Events published while handling; the consumer writes them to the outbox in the same
    # transaction, all of a batch's in one statement.
    published: list[CloudEvent[Any]]

    async def publish(self, data: EventData) -> None:
        """Publish an event (through the outbox), carrying this event's correlation id and its id
        as the cause."""
        self.published.append(
            new_event(
                data,
                source=f"/hearth/{self.service}",
                correlation_id=self.event.correlationid,
                causation_id=self.event.id,
            )
        )


Emit = Callable[[EventData], Awaitable[None]]
"""Publishes an event within the caller's transaction: `HandlerContext.publish` in a handler (it
keeps the cause), or an outbox writer bound to a request's connection."""

HandlerFn = Callable[[HandlerContext, Any], Awaitable[None]]


@dataclass(frozen=True)
class Handler:
    """A named reaction; its name becomes the queue `<service>.<name>` and the inbox key."""

    name: str
    accepts: tuple[type[EventData], ...]
    fn: HandlerFn

    @property
    def catalogue(self) -> dict[str, type[EventData]]:
        return {model.event_type: model for model in self.accepts}

    @property
    def routing_keys(self) -> list[str]:
        return [model.routing_key() for model in self.accepts]


def handles(*accepts: type[EventData], name: str | None = None) -> Callable[[HandlerFn], Handler]:
    """Declare `fn` as the reaction to the given event types (its queue is named after it)."""

    def declare(fn: HandlerFn) -> Handler:
        return Handler(name=name or fn.__name__, accepts=accepts, fn=fn)

    return declare
