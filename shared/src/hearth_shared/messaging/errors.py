"""How the messaging kit classifies what goes wrong with a message.

A `PermanentFailure` can never succeed as it is (the same bytes, or the same handler bug, fail the
same way however often they are retried), so the kit parks it at once with its `reason`. Any other
exception is transient and retried through the delay queues. Services raise `PermanentFailure`
(or a subclass) from a handler to park a message they can never apply.
"""

from __future__ import annotations

import asyncpg


class PermanentFailure(Exception):
    """A message that can never succeed as it is; `reason` is a short machine-readable word."""

    reason = "permanent_failure"


class InvalidJson(PermanentFailure):
    reason = "invalid_json"


class SchemaViolation(PermanentFailure):
    reason = "schema_violation"


class UnknownEventType(PermanentFailure):
    reason = "unknown_event_type"


class RetriesExhausted(PermanentFailure):
    """A transient failure that outlived the last delay queue."""

    reason = "retries_exhausted"


class EventFailed(Exception):
    """A handler could not apply `events[index]` of its batch: only that event is taken out (and
    retried or parked according to `error`); the others are applied again without it."""

    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(index, error)
        self.index, self.error = index, error


# What a broken database connection looks like: the whole batch fails and is retried.
CONNECTION_ERRORS = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError)
