"""One transaction's work, and the one way Hearth publishes an event.

A `Work` is bound to the transaction's connection, the service's event source and the piece of
work's correlation id (and, in a handler, the event being handled as the cause), so an action
publishes with `await work.publish(data)` and nobody threads ids by hand. Events go to the
transactional outbox in that same transaction (docs/architecture.md, "Publishing").
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import asyncpg

from ..contracts import CloudEvent, EventData, new_event
from ..db import Connection
from ..logs import current_correlation_id
from ..tracing import publishing, traceparent_of
from ..worker import committed
from .outbox import write_events


def source_of(service: str) -> str:
    """The CloudEvents `source` of everything a Hearth service publishes."""
    return f"/hearth/{service}"


@dataclass(frozen=True, kw_only=True)
class Work:
    """What an action needs to write and publish within one transaction (see the module)."""

    conn: Connection
    source: str
    correlation_id: str
    causation_id: str | None = None
    # Set by the consumer: a batch's events reach the outbox in one statement when it commits.
    pending: list[CloudEvent[Any]] | None = field(default=None, repr=False)
    # Set by the consumer: the service's own settings (its `<Service>Settings`), so module-level
    # handlers read their configuration (`settings: CreditsSettings = ctx.settings`).
    settings: Any = field(default=None, repr=False)
    # The cause's trace context (a batch handler's `caused_by`); otherwise the current span's.
    trace_parent: str | None = field(default=None, repr=False)

    async def publish(self, data: EventData) -> None:
        """Publish `data` through the outbox of this work's transaction."""
        event = new_event(
            data, source=self.source, correlation_id=self.correlation_id, causation_id=self.causation_id
        )
        with publishing(event.type, self.trace_parent) as traceparent:
            if traceparent:  # the CloudEvents distributed-tracing extension (hearth_shared.tracing)
                event = event.model_copy(update={"traceparent": traceparent})
        if self.pending is None:
            await write_events(self.conn, [event])
        else:
            self.pending.append(event)

    def caused_by(self, cause: CloudEvent[Any]) -> Work:
        """The same transaction, publishing as a consequence of `cause` (its correlation id, and
        its id as the causation id)."""
        return replace(
            self,
            correlation_id=cause.correlationid,
            causation_id=cause.id,
            trace_parent=traceparent_of(cause),
        )


@asynccontextmanager
async def begin(pool: asyncpg.Pool, service: str, correlation_id: str | None = None) -> AsyncIterator[Work]:
    """A transaction on `pool` as a `Work` of `service`; by default it carries the correlation id
    of the request or message being served (bound into the log context)."""
    async with pool.acquire() as conn, conn.transaction():
        yield Work(
            conn=conn, source=source_of(service), correlation_id=correlation_id or current_correlation_id()
        )
    committed()  # the relay publishes what it wrote now
