"""A message that crashes its consumer, on the real broker and database: only it is charged.

The "crash" is the broker connection dying (a proxy cut) while the handler is stuck in the
culprit; the broker returns what the consumer held and counts a delivery for each. Before issue
15 every message held (a batch, up to the prefetch) was charged at every crash, and after the
delivery limit they were all parked with the culprit. Now redeliveries are taken one at a time,
each in a batch of its own, so the messages behind the culprit are not held when it crashes again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from typing import Any

import aio_pika
from aio_pika.abc import AbstractRobustConnection

from conftest import ROUTING_KEY, member
from hearth_shared.contracts.catalogue import MemberUpserted
from hearth_shared.messaging import HandlerContext, ServiceRuntime, handles
from hearth_shared.messaging.failures import describe, handler_of
from hearth_shared.messaging.topology import declare_service, delete_names
from hearth_shared.settings import ServiceSettings
from hearth_testing.fixtures import TEST_RETRY_DELAYS, via_proxy
from hearth_testing.infra import Infra, TestDatabase
from hearth_testing.processes import TcpProxy

entered = asyncio.Event()


@handles(MemberUpserted)
async def on_crashing(ctx: HandlerContext, data: MemberUpserted) -> None:
    if data.member_id.startswith("crash-"):
        entered.set()
        await asyncio.Event().wait()  # never returns: the process dies here
    await ctx.conn.execute(
        "INSERT INTO guarded_effects (source, event_id, member_id) VALUES ($1, $2, $3)",
        ctx.event.source,
        ctx.event.id,
        data.member_id,
    )


async def crash(runtime: ServiceRuntime, proxy: TcpProxy) -> None:
    """The broker loses the connection; nothing is settled any more; the runtime goes away."""
    await proxy.cut()
    for consumer in runtime.consumers:
        await consumer.stop(timeout=0)
    if runtime.connection is not None:
        await runtime.connection.close()
    await runtime.stop()


async def test_a_message_that_crashes_the_consumer_is_the_only_one_charged(
    infra: Infra,
    database: TestDatabase,
    name_prefix: str,
    amqp: AbstractRobustConnection,
    broker_proxy: TcpProxy,
) -> None:
    conn = await database.connect("kittest")
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS guarded_effects (source text, event_id text, member_id text)"
    )
    await conn.close()
    handler = dataclasses.replace(on_crashing, name=f"crashing_{uuid.uuid4().hex[:8]}")
    settings = ServiceSettings(
        amqp_url=via_proxy(infra.amqp_url, broker_proxy),
        database_url=database.dsn("kittest"),
        name_prefix=name_prefix,
        retry_delays=TEST_RETRY_DELAYS,
        delivery_limit=2,
    )
    events = [member(f"good-{uuid.uuid4().hex[:8]}") for _ in range(29)]
    culprit = member(f"crash-{uuid.uuid4().hex[:8]}")
    events.insert(5, culprit)
    names = ServiceRuntime("kittest", settings, handlers=[handler]).names
    await publish_backlog(amqp, names, handler.name, events)
    good = {e.id for e in events} - {culprit.id}
    runtime: ServiceRuntime | None = None
    try:
        for _ in range(8):
            if await applied(database, good) == good:
                break
            await broker_proxy.restore()
            runtime = ServiceRuntime("kittest", settings, handlers=[handler])
            entered.clear()
            await runtime.start()
            await wait_until_stuck_or_done(database, good)
            await crash(runtime, broker_proxy)
            runtime = None
        assert await applied(database, good) == good
        parked = await parked_from(amqp, names, handler.name)
        assert [(p.message_id, p.reason) for p in parked] == [(culprit.id, "delivery_limit")]
    finally:
        if runtime is not None:
            await crash(runtime, broker_proxy)
        await delete_names(amqp, [names.handler_queue(handler.name)], [])


async def publish_backlog(
    amqp: AbstractRobustConnection, names: Any, handler: str, events: list[Any]
) -> None:
    async with amqp.channel() as channel:
        await declare_service(
            channel,
            names,
            handlers={handler: [ROUTING_KEY]},
            retry_delays=TEST_RETRY_DELAYS,
            delivery_limit=2,
        )
        exchange = await channel.get_exchange(names.events_exchange)
        for event in events:
            await exchange.publish(
                aio_pika.Message(event.model_dump_json().encode(), message_id=event.id),
                routing_key=ROUTING_KEY,
            )


async def applied(database: TestDatabase, ids: set[str]) -> set[str]:
    conn = await database.connect("kittest")
    try:
        rows = await conn.fetch(
            "SELECT event_id FROM guarded_effects WHERE event_id = ANY($1::text[])", list(ids)
        )
    finally:
        await conn.close()
    found = [r["event_id"] for r in rows]
    assert len(found) == len(set(found)), "an event applied twice"
    return set(found)


async def wait_until_stuck_or_done(database: TestDatabase, good: set[str]) -> None:
    async with asyncio.timeout(20):
        while not entered.is_set() and await applied(database, good) != good:
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # let deliveries that would arrive behind the culprit arrive


async def parked_from(amqp: AbstractRobustConnection, names: Any, handler: str) -> list[Any]:
    found = []
    async with amqp.channel() as channel:
        queue = await channel.get_queue(names.parking_queue)
        while (message := await queue.get(fail=False, no_ack=True)) is not None:
            if handler_of(message, names) == handler:
                found.append(describe(message, names))
    return found
