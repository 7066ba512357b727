"""The messaging kit: topology, transactional outbox and relay, idempotent batched consumers with
retry and parking, and the lifecycle that ties them to a service."""

from .handlers import BatchContext, Emit, EventFailed, Handler, HandlerContext, handles, handles_batch
from .outbox import OutboxRelay, write_event
from .runtime import ServiceRuntime
from .topology import Names

__all__ = [
    "BatchContext",
    "Emit",
    "EventFailed",
    "Handler",
    "HandlerContext",
    "Names",
    "OutboxRelay",
    "ServiceRuntime",
    "handles",
    "handles_batch",
    "write_event",
]
