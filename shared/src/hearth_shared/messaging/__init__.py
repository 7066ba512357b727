"""The messaging kit: topology, transactional outbox and relay, idempotent batched consumers with
retry and parking, and the lifecycle that ties them to a service."""

from .handlers import Emit, Handler, HandlerContext, handles
from .outbox import OutboxRelay, write_event
from .runtime import ServiceRuntime
from .topology import Names

__all__ = [
    "Emit",
    "Handler",
    "HandlerContext",
    "Names",
    "OutboxRelay",
    "ServiceRuntime",
    "handles",
    "write_event",
]
