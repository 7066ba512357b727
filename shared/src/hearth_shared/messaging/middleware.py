"""Binds service-independent message context into structlog for everything a delivery logs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from faststream import BaseMiddleware, StreamMessage


class LogContextMiddleware(BaseMiddleware):
    """Every log line written while handling a message carries its event type, id and
    correlation id (the service is bound once at start-up)."""

    async def consume_scope(
        self,
        call_next: Callable[[StreamMessage[Any]], Awaitable[Any]],
        msg: StreamMessage[Any],
    ) -> Any:
        raw = msg.raw_message
        with structlog.contextvars.bound_contextvars(
            event_id=msg.message_id,
            event_type=getattr(raw, "type", None),
            correlation_id=msg.correlation_id,
        ):
            return await call_next(msg)
