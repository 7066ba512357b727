"""The outbox relay's lag (`hearth_outbox_lag_seconds`): the age of the oldest row it holds
unpublished, growing while the broker refuses it, and 0 once the row is out.

A kit service runs in-process on the real broker and database. An event routed to a full queue that
rejects publishes (`x-overflow: reject-publish`) is refused by the broker (a nack): the relay keeps
it and retries, as it would through any refusal. Removing that queue lets it through.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from aio_pika.abc import AbstractRobustConnection

from hearth_shared.messaging import ServiceRuntime
from hearth_shared.settings import ServiceSettings
from hearth_testing.fixtures import TEST_RETRY_DELAYS
from hearth_testing.infra import Infra, TestDatabase
from hearth_testing.waiting import eventually

LAG = "hearth_outbox_lag_seconds"


@pytest.fixture
async def kit(infra: Infra, database: TestDatabase, name_prefix: str) -> AsyncIterator[ServiceRuntime]:
    settings = ServiceSettings(
        amqp_url=infra.amqp_url,
        database_url=database.dsn("kittest"),
        name_prefix=f"{name_prefix}lag.",
        retry_delays=TEST_RETRY_DELAYS,
        relay_poll_seconds=0.2,
    )
    runtime = ServiceRuntime("kittest", settings)
    await runtime.start()
    await asyncio.wait_for(runtime.broker_ready.wait(), 30)
    yield runtime
    await runtime.stop()


async def test_the_relay_lag_is_the_age_of_the_oldest_row_it_cannot_publish(
    kit: ServiceRuntime, amqp: AbstractRobustConnection
) -> None:
    assert kit.pool is not None
    assert kit.metrics.get_sample_value(LAG) == 0.0
    key = f"org.hearth.test.refused.{uuid.uuid4().hex[:8]}"
    channel = await amqp.channel()
    full = await channel.declare_queue(
        exclusive=True, arguments={"x-max-length": 0, "x-overflow": "reject-publish"}
    )
    await full.bind(kit.names.events_exchange, key)
    async with kit.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO outbox (event_id, event_type, routing_key, correlation_id, body, created_at) "
            "VALUES ($1, 'org.hearth.test.v1', $2, 'c', '{}'::bytea, now() - interval '30 seconds')",
            f"lag-{uuid.uuid4()}",
            key,
        )

    async def lag() -> float:
        return kit.metrics.get_sample_value(LAG) or 0.0

    first = await eventually(lag, lambda s: s >= 30, timeout=10, what="the refused row's age")
    await asyncio.sleep(1.2)
    assert await lag() >= first + 1, "the lag grows while the row waits"

    await full.delete(if_unused=False, if_empty=False)
    taking = await channel.declare_queue(exclusive=True)
    await taking.bind(kit.names.events_exchange, key)
    await eventually(lag, lambda s: s == 0.0, timeout=20, what="the lag back to 0 once published")
    async with kit.pool.acquire() as conn:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM outbox WHERE routing_key = $1 AND published_at IS NULL", key
            )
            == 0
        )
    await channel.close()
