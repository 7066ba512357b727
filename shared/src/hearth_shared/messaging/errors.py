"""How the messaging kit classifies what goes wrong with a message.

A `PermanentFailure` can never succeed as it is (the same bytes, or the same handler bug, fail the
same way however often they are retried), so the kit parks it at once with its `reason`; so is
the database refusing the data itself (`DATA_ERRORS`, parked as `data_rejected`). Any other
exception is transient and retried through the delay queues — unless the database does not answer
at all (`DatabaseUnavailable`): then nothing is retried, the consumer waits for it. Services raise
`PermanentFailure` (or a subclass) from a handler to park a message they can never apply.
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


class TooLarge(PermanentFailure):
    """A body over the documented maximum event size (refused before it is parsed)."""

    reason = "too_large"


class Unreadable(PermanentFailure):
    """Reading the delivery failed in a way nothing else names (a bug, an exhausted resource): it
    is parked like any bad body, never left unsettled."""

    reason = "unreadable"


class DataRejected(PermanentFailure):
    """The database refused the event's data (bad encoding, a value out of range, a check): the
    same data fails the same way on every attempt."""

    reason = "data_rejected"


class RetriesExhausted(PermanentFailure):
    """A transient failure that outlived the last delay queue."""

    reason = "retries_exhausted"


class EventFailed(Exception):
    """A handler could not apply `events[index]` of its batch: only that event is taken out (and
    retried or parked according to `error`); the others are applied again without it."""

    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(index, error)
        self.index, self.error = index, error


class DatabaseUnavailable(Exception):
    """The database does not answer: no failure of the messages, which wait until it does."""


# What a broken database connection looks like (including a server shutting down or starting up):
# the whole batch fails, and waits for the database if it does not answer, else is retried.
CONNECTION_ERRORS = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    OSError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
)

# Errors in the data itself, which no retry can mend. Postgres' class 22 (data exception: NUL or
# untranslatable characters, numbers and dates out of range, invalid text for a type), the client's
# refusal to encode an argument (a lone surrogate, a value too large for its type), and the checks
# a row must pass (CHECK, NOT NULL). Not unique, foreign-key or exclusion violations: those depend
# on other rows, which another event or a concurrent writer may yet change.
DATA_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.DataError,
    asyncpg.exceptions._base.DataError,
    asyncpg.CheckViolationError,
    asyncpg.NotNullViolationError,
)


def is_connection_error(error: BaseException) -> bool:
    """A lost or unusable connection (the batch is retried), not a refusal of the data."""
    return isinstance(error, CONNECTION_ERRORS) and not isinstance(error, DATA_ERRORS)


def as_permanent(error: Exception) -> PermanentFailure | None:
    """The permanent failure `error` is or stands for (a data error), or None if it is transient."""
    if isinstance(error, PermanentFailure):
        return error
    if isinstance(error, DATA_ERRORS):
        return DataRejected(f"{type(error).__name__}: {error}")
    return None
