"""Retry and parking: where a failed delivery goes, and the one home of the parking format.

A transient failure goes to the next delay queue with its attempt counted in `x-hearth-attempt`;
after the last delay, or at once for a `PermanentFailure`, it parks in `<service>.parking` with
`x-hearth-parked-*` headers saying why, where and when. A message the broker parked itself (its
delivery limit) carries the broker's `x-death` record instead. Replaying strips all of that, resets
the attempt and sends the message back to the handler queue it came from.

The header and message building is pure (unit-tested without a broker); `Failures` and
`publish_replay` are the publishing around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import aio_pika
import structlog
from aio_pika.abc import FieldValue, HeadersType

from .errors import RetriesExhausted, as_permanent
from .metrics import KitMetrics
from .publisher import Publisher
from .topology import Names

log = structlog.get_logger(__name__)

ATTEMPT = "x-hearth-attempt"
ORIGINAL_ROUTING_KEY = "x-hearth-original-routing-key"
PARKED_PREFIX = "x-hearth-parked"  # every parking header starts so; replaying removes them
PARKED_REASON = "x-hearth-parked-reason"
PARKED_DETAIL = "x-hearth-parked-detail"
PARKED_SERVICE = "x-hearth-parked-service"
PARKED_HANDLER = "x-hearth-parked-handler"
PARKED_AT = "x-hearth-parked-at"
DEATH = "x-death"  # the broker's record, when its delivery limit parked the message
DELIVERY_LIMIT = "delivery_limit"  # the reason shown for those
DETAIL_LIMIT = 2000  # characters of detail kept in a header
BODY_LIMIT = 4000  # characters of body shown when listing


class Received(Protocol):
    """What failure handling reads of a delivery (an aio-pika incoming message)."""

    @property
    def body(self) -> bytes: ...
    @property
    def headers(self) -> HeadersType: ...
    @property
    def message_id(self) -> str | None: ...
    @property
    def correlation_id(self) -> str | None: ...
    @property
    def type(self) -> str | None: ...
    @property
    def content_type(self) -> str | None: ...
    @property
    def routing_key(self) -> str | None: ...


@dataclass(frozen=True)
class Parked:
    """A parked message as staff see it (`python -m hearth_shared.messaging.parking list`)."""

    message_id: str | None
    event_type: str | None
    handler: str | None
    reason: str
    detail: str
    parked_at: str | None
    body: str


@dataclass(frozen=True)
class Retry:
    """Where a transient failure goes next: a delay queue, as attempt number `attempt`."""

    attempt: int
    delay_ms: int
    routing_key: str


def attempt_of(message: Received) -> int:
    """How many times the message has been retried so far."""
    return int(str((message.headers or {}).get(ATTEMPT, 0)))


def next_retry(message: Received, delays_ms: list[int], names: Names, handler: str) -> Retry | None:
    """The delay queue for the message's next attempt, or None once the last delay is used."""
    attempt = attempt_of(message)
    if attempt >= len(delays_ms):
        return None
    delay = delays_ms[attempt]
    return Retry(attempt + 1, delay, names.retry_routing_key(delay, handler))


def parking_headers(*, reason: str, detail: str, service: str, handler: str, at: datetime) -> HeadersType:
    """The headers saying why (`reason`, `detail`), where (service, handler) and when it parked."""
    return {
        PARKED_REASON: reason,
        PARKED_DETAIL: detail[:DETAIL_LIMIT],
        PARKED_SERVICE: service,
        PARKED_HANDLER: handler,
        PARKED_AT: at.isoformat(),
    }


def _copy(message: Received, headers: dict[str, FieldValue], body: bytes | None = None) -> aio_pika.Message:
    return aio_pika.Message(
        message.body if body is None else body,
        headers=headers,
        message_id=message.message_id,
        correlation_id=message.correlation_id,
        type=message.type,
        content_type=message.content_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


def forwarded(message: Received, headers: HeadersType) -> aio_pika.Message:
    """The message to publish onwards (retry or parking): same body and ids, `headers` added, and
    the routing key it first arrived with kept (a retry arrives by another)."""
    original = dict(message.headers or {})
    original.setdefault(ORIGINAL_ROUTING_KEY, message.routing_key or "")
    return _copy(message, {**original, **headers})


def replayed(message: Received) -> aio_pika.Message:
    """A parked message as it goes back to its handler: parked headers and the broker's record
    removed, attempts reset."""
    headers = {
        k: v for k, v in (message.headers or {}).items() if not k.startswith(PARKED_PREFIX) and k != DEATH
    }
    headers[ATTEMPT] = 0
    return _copy(message, headers)


def rewritten(message: Received, body: bytes, headers: HeadersType) -> aio_pika.Message:
    """A parked (or unrouted) message as erasure leaves it: the same ids and headers (its parking
    reason kept), `body` and `headers` rewritten without the person's details."""
    return _copy(message, dict(headers), body)


def handler_of(message: Received, names: Names) -> str | None:
    """The handler a parked message came from: its header, else the broker's `x-death` queue."""
    headers = message.headers or {}
    if PARKED_HANDLER in headers:
        return str(headers[PARKED_HANDLER])
    deaths = headers.get(DEATH)
    for death in deaths if isinstance(deaths, list) else []:
        queue = str(death.get("queue", "")) if isinstance(death, dict) else ""
        if queue.startswith(f"{names.prefix}{names.service}."):
            return queue.removeprefix(f"{names.prefix}{names.service}.")
    return None


def describe(message: Received, names: Names) -> Parked:
    headers = message.headers or {}
    return Parked(
        message_id=message.message_id,
        event_type=message.type,
        handler=handler_of(message, names),
        reason=str(headers.get(PARKED_REASON) or DELIVERY_LIMIT),
        detail=str(headers.get(PARKED_DETAIL, "")),
        parked_at=str(headers[PARKED_AT]) if PARKED_AT in headers else None,
        body=message.body.decode(errors="replace")[:BODY_LIMIT],
    )


async def publish_replay(publisher: Publisher, names: Names, message: Received, handler: str) -> None:
    """Send a parked message back to `handler`'s queue, through the redeliver exchange."""
    await publisher.publish(
        replayed(message),
        exchange=names.redeliver_exchange,
        routing_key=f"replay.{names.handler_key(handler)}",
    )


class Failures:
    """One handler's failed deliveries, sent to a delay queue or to parking, and counted."""

    def __init__(
        self, publisher: Publisher, *, names: Names, handler: str, delays_ms: list[int], metrics: KitMetrics
    ) -> None:
        self._publisher = publisher
        self._names = names
        self._handler = handler
        self._delays = delays_ms
        self._metrics = metrics

    async def forward(self, message: Received, error: Exception) -> None:
        """Park a permanent failure; send a transient one to its next delay queue (or park it as
        `retries_exhausted` after the last)."""
        with structlog.contextvars.bound_contextvars(
            event_id=message.message_id, event_type=message.type, correlation_id=message.correlation_id
        ):
            permanent = as_permanent(error)
            if permanent is not None:
                await self._park(message, permanent.reason, str(permanent))
                return
            retry = next_retry(message, self._delays, self._names, self._handler)
            if retry is None:
                detail = f"after {attempt_of(message) + 1} attempts: {error!r}"
                await self._park(message, RetriesExhausted.reason, detail)
                return
            log.warning(
                "transient failure; will retry",
                attempt=retry.attempt,
                delay_ms=retry.delay_ms,
                error=repr(error),
            )
            await self._publisher.publish(
                forwarded(message, {ATTEMPT: retry.attempt}),
                exchange=self._names.delay_exchange,
                routing_key=retry.routing_key,
            )
            self._metrics.retried.labels(self._handler).inc()

    async def _park(self, message: Received, reason: str, detail: str) -> None:
        log.error("message parked", reason=reason, detail=detail)
        headers = parking_headers(
            reason=reason,
            detail=detail,
            service=self._names.service,
            handler=self._handler,
            at=datetime.now(UTC),
        )
        await self._publisher.publish(
            forwarded(message, headers), exchange="", routing_key=self._names.parking_queue
        )
        self._metrics.parked.labels(self._handler, reason).inc()
