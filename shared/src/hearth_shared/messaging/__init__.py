"""The messaging kit: topology, transactional outbox and relay, idempotent batched consumers with
retry and parking, and the lifecycle that ties them to a service."""

from ..contracts import PermanentFailure
from .handlers import EventFailed, Handler, HandlerContext, handles, handles_batch
from .outbox import OutboxRelay
from .runtime import ServiceRuntime
from .topology import Names
from .work import Work, begin, source_of

__all__ = [
    "EventFailed",
    "Handler",
    "HandlerContext",
    "Names",
    "OutboxRelay",
    "PermanentFailure",
    "ServiceRuntime",
    "Work",
    "begin",
    "handles",
    "handles_batch",
    "source_of",
]
