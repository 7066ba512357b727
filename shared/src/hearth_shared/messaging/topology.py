"""Names and declarations of everything Hearth puts on the broker.

- `hearth.events` (topic): every domain event, routed by `routing_key_for(type)`.
- `<service>.<handler>` (quorum): one queue per handler, bound to the events it accepts. Its
  explicit delivery limit dead-letters a message that keeps crashing consumers to parking.
- `<service>.retry.<ms>ms` (quorum, message TTL): delay queues for transient failures. A retry is
  published to `hearth.delay` as `<ms>ms.<service>.<handler>`; when the TTL runs out the broker
  dead-letters it to `hearth.redeliver`, where the handler queue is bound by `*.<service>.<handler>`.
- `<service>.parking` (quorum): messages that can never succeed as they are, with headers saying why.
- `hearth.unrouted` (fanout, alternate exchange of `hearth.events`) and the queue behind it,
  `hearth.unrouted.recent`: events that no queue is bound to (a consumer not deployed yet, or an
  event nobody consumes by design, such as NotificationDelivered) are kept there instead of being
  returned, which would stall the outbox relay — but only the latest `UNROUTED_MAX_MESSAGES`, for
  `UNROUTED_TTL_MS` (oldest dropped first), so they can never grow into a memory alarm.

Arguments are set explicitly (delivery limit, dead-letter exchange and key, dead-letter strategy,
overflow) so that RabbitMQ 3.10 and 4.x behave the same. Every queue that dead-letters does so
**at least once** (`x-dead-letter-strategy: at-least-once`, which requires `x-overflow:
reject-publish`): the broker keeps a message until its dead-letter target has confirmed it.

Declaration is idempotent; the delay is part of a retry queue's name, so changing the configured
delays adds queues instead of clashing with existing arguments. A queue's arguments cannot change
once declared (re-declaring with others fails with PRECONDITION_FAILED): a handler or retry queue
declared by a Hearth before at-least-once dead-lettering is declared again with its old arguments,
with a warning, and an operator policy gives it the new behaviour (docs/architecture.md, "Delivery
guarantees, as built"); the unbounded `hearth.unrouted` queue of old is deleted: nothing has routed
to it since the bounded queue replaced it, and what it held (copies of events nobody consumed,
full bodies with names and addresses) would otherwise be kept forever, out of erasure's reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiormq
import structlog
from aio_pika import ExchangeType
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange, AbstractQueue

log = structlog.get_logger(__name__)

EVENTS = "hearth.events"
DELAY = "hearth.delay"
REDELIVER = "hearth.redeliver"
UNROUTED = "hearth.unrouted"
UNROUTED_QUEUE = "hearth.unrouted.recent"
UNROUTED_MAX_MESSAGES = 100_000
UNROUTED_MAX_BYTES = 256 * 1024 * 1024
UNROUTED_TTL_MS = 7 * 24 * 3600 * 1000  # a week


@dataclass(frozen=True)
class Names:
    """Every broker name for one service, with the isolation prefix applied."""

    prefix: str
    service: str

    @property
    def events_exchange(self) -> str:
        return self.prefix + EVENTS

    @property
    def delay_exchange(self) -> str:
        return self.prefix + DELAY

    @property
    def redeliver_exchange(self) -> str:
        return self.prefix + REDELIVER

    @property
    def unrouted(self) -> str:
        """Name of the alternate exchange (and of the unbounded queue behind it before issue 15,
        which declaring deletes)."""
        return self.prefix + UNROUTED

    @property
    def unrouted_queue(self) -> str:
        """The bounded queue behind the alternate exchange."""
        return self.prefix + UNROUTED_QUEUE

    @property
    def parking_queue(self) -> str:
        return f"{self.prefix}{self.service}.parking"

    def handler_key(self, handler: str) -> str:
        """The unprefixed `<service>.<handler>`; routing keys use it, queue names prefix it."""
        return f"{self.service}.{handler}"

    def handler_queue(self, handler: str) -> str:
        return self.prefix + self.handler_key(handler)

    def retry_queue(self, delay_ms: int) -> str:
        return f"{self.prefix}{self.service}.retry.{delay_ms}ms"

    def retry_routing_key(self, delay_ms: int, handler: str) -> str:
        return f"{delay_ms}ms.{self.handler_key(handler)}"


def declared_names(
    names: Names, handler_names: list[str], retry_delays: list[float]
) -> tuple[list[str], list[str]]:
    """`(queues, exchanges)` that `declare_service` creates for a service (to remove a test
    run's or a benchmark's topology afterwards)."""
    queues = [names.parking_queue, names.unrouted_queue]
    queues += [names.retry_queue(d) for d in delays_ms(retry_delays)]
    queues += [names.handler_queue(h) for h in handler_names]
    exchanges = [names.events_exchange, names.delay_exchange, names.redeliver_exchange, names.unrouted]
    return queues, exchanges


async def delete_names(channel_source: AbstractConnection, queues: list[str], exchanges: list[str]) -> None:
    """Delete queues and exchanges, ignoring the ones that do not exist."""
    for kind, names_ in (("queue", queues), ("exchange", exchanges)):
        for name in names_:
            channel = await channel_source.channel()
            try:
                if kind == "queue":
                    await channel.queue_delete(name)
                else:
                    await channel.exchange_delete(name)
            except Exception:  # a missing name closes the channel; nothing to delete
                pass
            finally:
                if not channel.is_closed:
                    await channel.close()


def delays_ms(delays: list[float]) -> list[int]:
    return [max(1, round(d * 1000)) for d in delays]


def events_exchange_arguments(names: Names) -> dict[str, Any]:
    return {"alternate-exchange": names.unrouted}


def _quorum(**arguments: Any) -> dict[str, Any]:
    return {"x-queue-type": "quorum", **arguments}


# Queues people read (parking, unrouted) are listed by get-and-requeue, which counts as a delivery;
# RabbitMQ 4 drops a quorum queue's message after 20 by default, so say explicitly: practically never.
KEEP = {"x-delivery-limit": 1_000_000}

# A dead-lettered message stays in its queue until its target has it (the default, at-most-once,
# drops it if the target cannot take it); quorum queues require reject-publish overflow for it.
AT_LEAST_ONCE = {"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}

UNROUTED_BOUNDS = {
    "x-max-length": UNROUTED_MAX_MESSAGES,
    "x-max-length-bytes": UNROUTED_MAX_BYTES,
    "x-message-ttl": UNROUTED_TTL_MS,
    "x-overflow": "drop-head",
}


async def declare_dead_lettering_queue(
    channel: AbstractChannel, name: str, arguments: dict[str, Any]
) -> AbstractQueue:
    """Declare a quorum queue that dead-letters at least once; one declared before with
    `arguments` alone (an older Hearth) is kept as it is, with a warning: a policy upgrades it
    (docs/architecture.md, "Delivery guarantees, as built")."""
    try:
        return await channel.declare_queue(
            name, durable=True, arguments=_quorum(**arguments, **AT_LEAST_ONCE)
        )
    except aiormq.exceptions.ChannelPreconditionFailed:
        log.warning(
            "queue declared before at-least-once dead-lettering; apply the hearth-dead-lettering policy",
            queue=name,
        )
        await channel.reopen()
        return await channel.declare_queue(name, durable=True, arguments=_quorum(**arguments))


async def _delete_old_unrouted(channel: AbstractChannel, names: Names) -> None:
    """Delete the unbounded queue of old, if there is one (see the module): dead topology whose
    messages nothing reads, retention cannot bound and erasure does not reach."""
    try:
        old = await channel.declare_queue(names.unrouted, passive=True)
    except aiormq.exceptions.ChannelNotFoundEntity:  # there is none: the channel closed on NOT_FOUND
        await channel.reopen()
        return
    dropped = old.declaration_result.message_count
    await old.delete(if_unused=False, if_empty=False)
    log.warning("deleted the unbounded unrouted queue of old", queue=names.unrouted, messages=dropped)


async def declare_exchanges(channel: AbstractChannel, names: Names) -> AbstractExchange:
    """Declare the shared exchanges (and the unrouted queue); return the events exchange."""
    for name in (names.delay_exchange, names.redeliver_exchange):
        await channel.declare_exchange(name, ExchangeType.TOPIC, durable=True)
    unrouted = await channel.declare_exchange(names.unrouted, ExchangeType.FANOUT, durable=True)
    recent = await channel.declare_queue(
        names.unrouted_queue, durable=True, arguments=_quorum(**KEEP, **UNROUTED_BOUNDS)
    )
    await recent.bind(unrouted)
    await _delete_old_unrouted(channel, names)
    return await channel.declare_exchange(
        names.events_exchange,
        ExchangeType.TOPIC,
        durable=True,
        arguments=events_exchange_arguments(names),
    )


async def declare_service(
    channel: AbstractChannel,
    names: Names,
    *,
    handlers: dict[str, list[str]],
    retry_delays: list[float],
    delivery_limit: int,
) -> None:
    """Declare a service's parking, retry and handler queues and their bindings.

    `handlers` maps a handler name to the routing keys of the events it accepts.
    """
    events = await declare_exchanges(channel, names)
    await channel.declare_queue(names.parking_queue, durable=True, arguments=_quorum(**KEEP))
    for delay in delays_ms(retry_delays):
        queue = await declare_dead_lettering_queue(
            channel,
            names.retry_queue(delay),
            {"x-message-ttl": delay, "x-dead-letter-exchange": names.redeliver_exchange},
        )
        await queue.bind(names.delay_exchange, routing_key=f"{delay}ms.{names.service}.#")
    for handler, routing_keys in handlers.items():
        queue = await declare_dead_lettering_queue(
            channel,
            names.handler_queue(handler),
            {
                "x-delivery-limit": delivery_limit,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": names.parking_queue,
            },
        )
        for routing_key in routing_keys:
            await queue.bind(events, routing_key=routing_key)
        await queue.bind(names.redeliver_exchange, routing_key=f"*.{names.handler_key(handler)}")
