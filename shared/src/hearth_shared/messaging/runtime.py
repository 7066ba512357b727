"""A service's messaging lifecycle: start when the broker or database is not up yet, declare
the topology, consume, relay the outbox; on shutdown stop consuming, finish in-flight work, flush
the outbox, then disconnect. Each service's `app` module composes one of these.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from typing import Any

import aio_pika
import asyncpg
import structlog
from aio_pika.abc import AbstractRobustConnection
from prometheus_client import CollectorRegistry

from ..contracts import EventData
from ..db import connect_with_retry, migrate
from ..settings import ServiceSettings
from ..worker import ClaimLoop
from .asyncapi import asyncapi_document
from .consumer import Consumer
from .handlers import Handler
from .metrics import KitMetrics
from .outbox import OutboxRelay
from .publisher import Publisher
from .retention import KitRetention, RetentionWorker, Sweep
from .topology import Names, declare_service

log = structlog.get_logger(__name__)


class ServiceRuntime:
    """Pool, migrations, broker, consumers and relay of one service, started and stopped in order.

    `workers` build the service's claim loops (`hearth_shared.worker.ClaimLoop`) on the background
    pool; they run beside the consumers and stop after them. Every service also runs the kit's
    retention worker, which applies the service's own `retention` rules after the kit's."""

    def __init__(
        self,
        service: str,
        settings: ServiceSettings,
        *,
        handlers: Sequence[Handler] = (),
        publishes: Sequence[type[EventData]] = (),
        migrations: str | None = None,
        workers: Sequence[Callable[[asyncpg.Pool], ClaimLoop]] = (),
        retention: Sequence[Sweep] = (),
    ) -> None:
        self.service = service
        self.settings = settings
        self.names = Names(settings.name_prefix, service)
        self.metrics = CollectorRegistry()
        self._kit_metrics = kit_metrics = KitMetrics(self.metrics)
        self.handlers = list(handlers)
        self.publishes = list(publishes)
        self.consumers = [
            Consumer(
                handler,
                names=self.names,
                retry_delays=settings.retry_delays,
                prefetch=settings.prefetch,
                batch_size=settings.batch_size,
                linger_ms=settings.batch_linger_ms,
                metrics=kit_metrics,
                settings=settings,
            )
            for handler in self.handlers
        ]
        self._migrations = migrations
        self._worker_factories = list(workers)
        self._retention = list(retention)
        self.workers: list[ClaimLoop] = []
        # Requests and consumers share `pool`; the outbox relay and the workers have a pool of
        # their own, so a crowd of requests waiting on a row lock can never keep events unpublished.
        self.pool: asyncpg.Pool | None = None
        self._background_pool: asyncpg.Pool | None = None
        self.connection: AbstractRobustConnection | None = None
        self.relay: OutboxRelay | None = None
        self.broker_ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def asyncapi(self) -> dict[str, Any]:
        """This service's AsyncAPI 3.0 document: what it consumes and what it publishes."""
        return asyncapi_document(self.names, self.handlers, self.publishes)

    async def start(self) -> None:
        """Open the database (waiting for it) and migrate; connect the broker in the background,
        so the HTTP API serves (and commits to the outbox) even while the broker is away."""
        self.pool = await connect_with_retry(
            self.settings.database_url, self.service, max_size=self.settings.db_pool_size
        )
        await migrate(
            self.pool,
            self.service,
            ["hearth_shared.migrations", *([self._migrations] if self._migrations else [])],
        )
        # Two connections per claim loop (relay, workers): one claims while another finishes (the
        # mail sender's lanes settle side by side).
        self._background_pool = background = await connect_with_retry(
            self.settings.database_url,
            self.service,
            min_size=1,
            max_size=2 * (1 + len(self._worker_factories)),
        )
        self.workers = [make(background) for make in self._worker_factories]
        # It borrows a claiming connection only while it works, so the pool is not made larger.
        self.workers.append(
            RetentionWorker(
                background,
                KitRetention(outbox=self.settings.outbox_retention, inbox=self.settings.inbox_retention),
                poll_seconds=self.settings.retention_poll_seconds,
                sweeps=self._retention,
            )
        )
        self._tasks = [asyncio.create_task(self._connect_broker(self.pool, background))]
        self._tasks += [asyncio.create_task(worker.run()) for worker in self.workers]

    async def _connect_broker(self, pool: asyncpg.Pool, background: asyncpg.Pool) -> None:
        """Connect (waiting for a broker that is still starting), declare, start consuming."""
        delay = 0.5
        while True:
            try:
                await self._start_messaging(pool, background)
            except Exception as exc:
                log.warning("broker not reachable yet", error=repr(exc), retry_in=delay)
                if self.connection is not None:
                    with contextlib.suppress(Exception):
                        await self.connection.close()
                    self.connection = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            else:
                return

    async def _start_messaging(self, pool: asyncpg.Pool, background: asyncpg.Pool) -> None:
        self.connection = connection = await aio_pika.connect_robust(
            self.settings.amqp_url, client_properties={"connection_name": f"hearth-{self.service}"}
        )
        async with connection.channel() as channel:
            await declare_service(
                channel,
                self.names,
                handlers={h.name: h.routing_keys for h in self.handlers},
                retry_delays=self.settings.retry_delays,
                delivery_limit=self.settings.delivery_limit,
            )
        publisher = await Publisher.open(connection)
        for consumer in self.consumers:
            await consumer.start(pool, connection, publisher)
        self.relay = OutboxRelay(
            background,
            publisher,
            exchange=self.names.events_exchange,
            batch_size=self.settings.relay_batch_size,
            poll_seconds=self.settings.relay_poll_seconds,
            published=self._kit_metrics.published,
            lag=self._kit_metrics.relay_lag,
        )
        self._tasks.append(asyncio.create_task(self.relay.run()))
        self.broker_ready.set()
        log.info("broker connected", handlers=[h.name for h in self.handlers])

    async def ready(self) -> bool:
        """Ready when the database answers and the broker is connected, with the topology declared
        and the consumers started."""
        if self.pool is None or not self.broker_ready.is_set():
            return False
        if self.connection is None or self.connection.is_closed:
            return False
        try:
            async with self.pool.acquire(timeout=2) as conn:
                await conn.fetchval("SELECT 1")
        except Exception:
            return False
        return True

    async def stop(self) -> None:
        """Stop consuming, let in-flight deliveries settle, flush the outbox, disconnect — all
        within `shutdown_grace_seconds`: the consumers are drained together, not one by one."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.shutdown_grace_seconds
        # With the broker away there is nothing to cancel or flush: the broker will redeliver what
        # was not acknowledged and the outbox keeps what was not published.
        broker_here = self.connection is not None and not self.connection.is_closed
        drain = 0.6 * self.settings.shutdown_grace_seconds if broker_here else 0.0
        await asyncio.gather(*(consumer.stop(timeout=drain) for consumer in self.consumers))
        left = max(0.0, deadline - loop.time() - 1.0)  # a second kept for closing
        if self.relay is not None:
            await self.relay.stop(flush_timeout=min(10.0, left) if broker_here else 0.0)
        left = max(0.0, deadline - loop.time() - 1.0)
        await asyncio.gather(
            *(worker.stop(flush_timeout=min(worker.flush_timeout, left)) for worker in self.workers)
        )
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.connection is not None and broker_here:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await self.connection.close()
        for pool in (self.pool, self._background_pool):
            if pool is not None:
                await pool.close()
        log.info("stopped")
