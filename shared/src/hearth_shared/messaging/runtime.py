"""A service's messaging lifecycle: start when the broker or database is not up yet, declare
the topology, consume, relay the outbox; on shutdown stop consuming, finish in-flight work, flush
the outbox, then disconnect. Each service's `app` module composes one of these.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import asyncpg
import structlog
from faststream.rabbit import Channel, RabbitBroker, RabbitExchange
from faststream.rabbit.prometheus import RabbitPrometheusMiddleware
from faststream.specification import AsyncAPI
from prometheus_client import CollectorRegistry

from ..contracts import CloudEvent, EventData
from ..db import connect_with_retry, migrate
from ..settings import ServiceSettings
from .consumer import Consumer
from .handlers import Handler
from .middleware import LogContextMiddleware
from .outbox import OutboxRelay
from .topology import Names, declare_service

log = structlog.get_logger(__name__)


class Worker(Protocol):
    """Background work a service runs beside its consumers (e.g. the mail sender)."""

    async def run(self) -> None: ...

    async def stop(self) -> None: ...


class ServiceRuntime:
    """Pool, migrations, broker, consumers and relay of one service, started and stopped in order."""

    def __init__(
        self,
        service: str,
        settings: ServiceSettings,
        *,
        handlers: Sequence[Handler] = (),
        publishes: Sequence[type[EventData]] = (),
        migrations: str | None = None,
        workers: Sequence[Callable[[asyncpg.Pool], Worker]] = (),
        pool_size: int = 10,
    ) -> None:
        self.service = service
        self.settings = settings
        self.names = Names(settings.name_prefix, service)
        self.metrics = CollectorRegistry()
        self.broker = RabbitBroker(
            settings.amqp_url,
            default_channel=Channel(publisher_confirms=True, on_return_raises=True),
            middlewares=[LogContextMiddleware, RabbitPrometheusMiddleware(registry=self.metrics)],
            app_id=f"hearth-{service}",
            graceful_timeout=15.0,
            apply_types=False,  # the consumer parses bodies itself (see Consumer._delivery_function)
            logger=logging.getLogger("faststream"),
            log_level=logging.DEBUG,  # one line per message is too much at INFO
        )
        self.handlers = list(handlers)
        self._migrations = migrations
        self._pool_size = pool_size
        self._worker_factories = list(workers)
        self.workers: list[Worker] = []
        self.consumers = [
            Consumer(
                handler,
                broker=self.broker,
                names=self.names,
                retry_delays=settings.retry_delays,
                prefetch=settings.prefetch,
                batch_size=settings.batch_size,
                linger_ms=settings.batch_linger_ms,
            )
            for handler in self.handlers
        ]
        self.publishes = list(publishes)
        for model in self.publishes:  # for the AsyncAPI document; the outbox relay publishes
            self.broker.publisher(
                exchange=RabbitExchange(self.names.events_exchange, declare=False),
                routing_key=model.routing_key(),
                title=model.routing_key(),
                description=(model.__doc__ or "").strip() or None,
                schema=CloudEvent[model],  # type: ignore[valid-type]
                persist=True,
            )
        self.pool: asyncpg.Pool | None = None
        self.relay: OutboxRelay | None = None
        self.broker_ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def asyncapi(self) -> dict[str, Any]:
        """This service's AsyncAPI 3.0 document: the queues it consumes and the events it publishes."""
        spec = AsyncAPI(
            self.broker,
            title=f"Hearth {self.service}",
            version="1.0.0",
            description=f"Events the {self.service} service consumes and publishes.",
        )
        return spec.to_specification().to_jsonable()  # type: ignore[no-any-return]

    async def start(self) -> None:
        """Open the database (waiting for it), migrate, then connect the broker in the background
        so the HTTP API is up even while the broker is still starting."""
        self.pool = await connect_with_retry(
            self.settings.database_url, self.service, max_size=self._pool_size
        )
        await migrate(
            self.pool,
            self.service,
            ["hearth_shared.migrations", *([self._migrations] if self._migrations else [])],
        )
        self.relay = OutboxRelay(
            self.pool,
            self.broker,
            exchange=self.names.events_exchange,
            schema=self.service,
            batch_size=self.settings.relay_batch_size,
            poll_seconds=self.settings.relay_poll_seconds,
        )
        for consumer in self.consumers:
            consumer.start(self.pool)
        self.workers = [make(self.pool) for make in self._worker_factories]
        self._tasks = [asyncio.create_task(self._connect_broker())]
        self._tasks += [asyncio.create_task(worker.run()) for worker in self.workers]

    async def _connect_broker(self) -> None:
        delay = 0.5
        while True:
            try:
                await self.broker.connect()
                await declare_service(
                    self.broker,
                    self.names,
                    handlers={h.name: h.routing_keys for h in self.handlers},
                    retry_delays=self.settings.retry_delays,
                    delivery_limit=self.settings.delivery_limit,
                )
                await self.broker.start()
            except Exception as exc:
                log.warning("broker not reachable yet", error=repr(exc), retry_in=delay)
                with contextlib.suppress(Exception):
                    await self.broker.stop()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            else:
                self.broker_ready.set()
                assert self.relay is not None
                self._tasks.append(asyncio.create_task(self.relay.run()))
                log.info("broker connected", handlers=[h.name for h in self.handlers])
                return

    async def ready(self) -> bool:
        """Ready when the database answers and the broker is connected."""
        if self.pool is None or not self.broker_ready.is_set():
            return False
        try:
            async with self.pool.acquire(timeout=2) as conn:
                await conn.fetchval("SELECT 1")
        except Exception:
            return False
        return True

    async def stop(self) -> None:
        """Stop consuming, let in-flight deliveries settle, flush the outbox, disconnect."""
        for consumer in self.consumers:
            with contextlib.suppress(Exception):
                await consumer.subscriber.stop()
        for consumer in self.consumers:
            await consumer.drain()
        if self.relay is not None:
            await self.relay.stop()
        for worker in self.workers:
            await worker.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.broker.stop()
        if self.pool is not None:
            await self.pool.close()
        log.info("stopped")
