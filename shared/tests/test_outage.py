"""A database outage longer than the retry budget, on the real broker and Postgres: the consumer's
database connections go through a proxy that is cut for several times the test's retry delays.

Before issue 15 every message consumed meanwhile went through the delay queues and parked as
`retries_exhausted`; now the consumer stops taking deliveries while the database does not answer,
and applies everything once it does."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, FastAPI

from conftest import StartKit, member
from hearth_shared.api import install_error_handlers
from hearth_testing.fixtures import TEST_RETRY_DELAYS, via_proxy
from hearth_testing.infra import TestDatabase
from hearth_testing.processes import TcpProxy

OUTAGE_SECONDS = 3 * sum(TEST_RETRY_DELAYS) + 1


@pytest.fixture
async def database_proxy(database: TestDatabase) -> AsyncIterator[TcpProxy]:
    parts = urlsplit(database.admin_dsn)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await proxy.restore()
    yield proxy
    await proxy.cut()


async def test_an_outage_longer_than_the_retry_budget_parks_nothing_and_loses_nothing(
    start_kit: StartKit, database: TestDatabase, database_proxy: TcpProxy
) -> None:
    kit = await start_kit(database_url=via_proxy(database.dsn("kittest"), database_proxy))
    before = member(f"before-{uuid.uuid4().hex[:8]}")
    await kit.publish(before)
    await kit.wait_for_effect(before.data.member_id)

    await database_proxy.cut()
    during = [member(f"during-{uuid.uuid4().hex[:8]}") for _ in range(20)]
    for event in during:
        await kit.publish(event)
    await asyncio.sleep(OUTAGE_SECONDS)
    await database_proxy.restore()

    for event in during:
        await kit.wait_for_effect(event.data.member_id, timeout=30)
    assert await kit.drain_parking() == {}
    applied = [event_id for _, event_id, _ in await kit.effects()]
    assert sorted(applied) == sorted([before.id, *(e.id for e in during)])  # each exactly once


async def test_a_request_during_a_database_outage_gets_503_with_retry_after_not_a_crash(
    database: TestDatabase, database_proxy: TcpProxy
) -> None:
    """A service's routes while its database restarts (bench/faults.py logged tracebacks and 500s):
    503 in the error shape with `Retry-After`, and the same route answers once it is back."""
    pool = await asyncpg.create_pool(via_proxy(database.dsn("kittest"), database_proxy), min_size=0)
    router = APIRouter()

    @router.get("/now")
    async def now() -> dict[str, str]:
        async with pool.acquire() as conn:
            return {"now": str(await conn.fetchval("SELECT now()"))}

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
            assert (await client.get("/now")).status_code == 200
            await database_proxy.cut()
            refused = await client.get("/now")
            assert refused.status_code == 503, refused.text
            assert refused.headers["Retry-After"] == "1"
            assert refused.json()["errors"][0]["code"] == "database_unavailable"
            await database_proxy.restore()
            assert (await client.get("/now")).status_code == 200
    finally:
        await pool.close()
