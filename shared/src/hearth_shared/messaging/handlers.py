"""How a service declares a reaction to events.

`@handles(EventType)` on `async def on_x(ctx, data)` reacts to one event at a time: the common
case. `@handles_batch(EventType)` on `async def on_x(ctx, events)` gets every new event of the
consumer's batch at once, for hot paths where set-based SQL (one statement per table for the whole
batch) is what keeps up with a backlog. Either runs inside the consumer's transaction, after the
inbox has accepted the events, so whatever it writes through `ctx.conn` and publishes through
`ctx.publish` (a `Work`) happens exactly once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import structlog

from .. import tracing
from ..contracts import CloudEvent, EventData
from .errors import EventFailed, is_connection_error
from .work import Work


@dataclass(frozen=True, kw_only=True)
class HandlerContext(Work):
    """A per-event handler's work: the consumer's transaction, publishing as a consequence of
    `event`, the event being handled."""

    event: CloudEvent[Any]


HandlerFn = Callable[[HandlerContext, Any], Awaitable[None]]
# A batch handler publishes with `await work.caused_by(event).publish(data)`.
BatchFn = Callable[[Work, list[CloudEvent[Any]]], Awaitable[None]]


@dataclass(frozen=True)
class Handler:
    """A named reaction; its name becomes the queue `<service>.<name>` and the inbox key."""

    name: str
    accepts: tuple[type[EventData], ...]
    fn: BatchFn
    # Batches in flight at once (each in its own transaction, settled in delivery order). Above 1
    # only where concurrent batches do not wait on each other's locks.
    concurrency: int = 1

    @property
    def catalogue(self) -> dict[str, type[EventData]]:
        return {model.event_type: model for model in self.accepts}

    @property
    def routing_keys(self) -> list[str]:
        return [model.routing_key() for model in self.accepts]


def handles(*accepts: type[EventData], name: str | None = None) -> Callable[[HandlerFn], Handler]:
    """Declare `fn(ctx, data)` as the reaction to each event of the given types (its queue is
    named after it)."""

    def declare(fn: HandlerFn) -> Handler:
        handler_name = name or fn.__name__

        @wraps(fn)  # its name and docstring describe the handler (AsyncAPI)
        async def each(work: Work, events: list[CloudEvent[Any]]) -> None:
            for index, event in enumerate(events):
                with (
                    structlog.contextvars.bound_contextvars(
                        event_id=event.id, event_type=event.type, correlation_id=event.correlationid
                    ),
                    tracing.processing(handler_name, event),
                ):
                    try:
                        ctx = HandlerContext(
                            conn=work.conn,
                            source=work.source,
                            correlation_id=event.correlationid,
                            causation_id=event.id,
                            pending=work.pending,
                            settings=work.settings,
                            event=event,
                        )
                        await fn(ctx, event.data)
                    except Exception as exc:
                        if is_connection_error(exc):
                            raise  # the connection is gone: fail the whole batch
                        raise EventFailed(index, exc) from exc

        return Handler(name=handler_name, accepts=accepts, fn=each)

    return declare


def handles_batch(
    *accepts: type[EventData], name: str | None = None, concurrency: int = 1
) -> Callable[[BatchFn], Handler]:
    """Declare `fn(ctx, events)` as the reaction to a batch of events of the given types. If it
    raises anything but `EventFailed` or a lost connection, the consumer applies the batch's events
    one at a time, each in its own transaction, to find the one at fault."""

    def declare(fn: BatchFn) -> Handler:
        handler_name = name or fn.__name__

        @wraps(fn)
        async def traced(work: Work, events: list[CloudEvent[Any]]) -> None:
            with tracing.processing_batch(handler_name, events):
                await fn(work, events)

        return Handler(name=handler_name, accepts=accepts, fn=traced, concurrency=concurrency)

    return declare
