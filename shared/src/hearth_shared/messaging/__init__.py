"""The messaging kit: topology, transactional outbox and relay, idempotent batched consumers with
retry and parking, and the lifecycle that ties them to a service.

Services use the names exported here; the modules behind them are the kit's own.
"""

from .erasure import erase_person
from .errors import (
    DataRejected,
    EventFailed,
    InvalidJson,
    PermanentFailure,
    RetriesExhausted,
    SchemaViolation,
    TooLarge,
    UnknownEventType,
    Unreadable,
)
from .handlers import Handler, HandlerContext, handles, handles_batch
from .outbox import OutboxRelay
from .parsing import parse_event
from .runtime import ServiceRuntime
from .topology import Names
from .work import Work, begin, source_of

__all__ = [
    "DataRejected",
    "EventFailed",
    "Handler",
    "HandlerContext",
    "InvalidJson",
    "Names",
    "OutboxRelay",
    "PermanentFailure",
    "RetriesExhausted",
    "SchemaViolation",
    "ServiceRuntime",
    "TooLarge",
    "UnknownEventType",
    "Unreadable",
    "Work",
    "begin",
    "erase_person",
    "handles",
    "handles_batch",
    "parse_event",
    "source_of",
]
