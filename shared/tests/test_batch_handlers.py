"""A batch handler (`@handles_batch`) on the real broker and database: it gets a backlog in
batches, its effects and published events commit with the inbox, and an event it cannot apply —
raising without saying which — is found by applying the batch one event at a time, so the rest
commit and only that one is retried, then parked."""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

import aio_pika
import pytest
from test_consuming import member_event, parked

from hearth_shared.contracts import CloudEvent
from hearth_shared.contracts.catalogue import GatheringCancelled, MemberUpserted
from hearth_shared.messaging import ServiceRuntime, Work, handles_batch
from hearth_shared.messaging.failures import PARKED_REASON
from hearth_shared.messaging.topology import declare_service
from hearth_shared.settings import ServiceSettings
from hearth_testing.fixtures import TEST_RETRY_DELAYS
from hearth_testing.infra import Infra, TestDatabase

batch_sizes: list[int] = []


@handles_batch(MemberUpserted)
async def on_members(ctx: Work, events: list[CloudEvent[Any]]) -> None:
    batch_sizes.append(len(events))
    if any(e.data.member_id.startswith("poison") for e in events):
        raise ValueError("one of these members cannot be stored")  # which one, the kit must find
    await ctx.conn.execute(
        "INSERT INTO batch_effects (event_id, member_id) SELECT * FROM unnest($1::text[], $2::text[])",
        [e.id for e in events],
        [e.data.member_id for e in events],
    )
    for event in events:
        await ctx.caused_by(event).publish(
            GatheringCancelled(gathering_id=uuid.uuid4(), reason=event.data.member_id)
        )


@pytest.fixture
async def settings(infra: Infra, database: TestDatabase, name_prefix: str) -> ServiceSettings:
    conn = await database.connect("kittest")
    await conn.execute("CREATE TABLE IF NOT EXISTS batch_effects (event_id text, member_id text)")
    await conn.close()
    return ServiceSettings(
        amqp_url=infra.amqp_url,
        database_url=database.dsn("kittest"),
        name_prefix=name_prefix,
        retry_delays=TEST_RETRY_DELAYS,
    )


@pytest.fixture
async def backlog(
    settings: ServiceSettings, amqp: aio_pika.abc.AbstractRobustConnection
) -> list[CloudEvent[Any]]:
    """40 members, one of them poisonous, waiting in the queue before the consumer starts."""
    runtime = ServiceRuntime("kittest", settings, handlers=[on_members])
    async with amqp.channel() as channel:
        await declare_service(
            channel,
            runtime.names,
            handlers={on_members.name: on_members.routing_keys},
            retry_delays=settings.retry_delays,
            delivery_limit=settings.delivery_limit,
        )
        exchange = await channel.get_exchange(runtime.names.events_exchange)
        events = [member_event(f"batch-{uuid.uuid4().hex[:8]}") for _ in range(39)]
        events.insert(17, member_event(f"poison-{uuid.uuid4().hex[:8]}"))
        for event in events:
            await exchange.publish(
                aio_pika.Message(event.model_dump_json().encode(), message_id=event.id),
                routing_key=MemberUpserted.routing_key(),
            )
    return events


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_a_batch_handler_applies_a_backlog_in_batches_and_isolates_the_event_it_cannot_apply(
    settings: ServiceSettings,
    backlog: list[CloudEvent[Any]],
    amqp: aio_pika.abc.AbstractRobustConnection,
    concurrency: int,
) -> None:
    """With several batches in flight too: they settle in delivery order, so a `multiple` ack
    never covers a delivery that another batch has not committed."""
    batch_sizes.clear()
    handler = dataclasses.replace(on_members, concurrency=concurrency)
    runtime = ServiceRuntime("kittest", settings.model_copy(update={"batch_size": 8}), handlers=[handler])
    await runtime.start()
    try:
        [poison] = [e for e in backlog if e.data.member_id.startswith("poison")]
        message = await parked(amqp, runtime, poison.id)
        assert message.headers[PARKED_REASON] == "retries_exhausted"
        assert "one of these members cannot be stored" in str(message.headers["x-hearth-parked-detail"])

        assert runtime.pool is not None
        async with runtime.pool.acquire() as conn:
            stored = await conn.fetch(
                "SELECT event_id, member_id FROM batch_effects WHERE event_id = ANY($1::text[])",
                [e.id for e in backlog],
            )
            published = await conn.fetch(
                "SELECT body FROM outbox WHERE correlation_id = ANY($1::text[])",
                [e.correlationid for e in backlog],
            )
        good = {e.id for e in backlog} - {poison.id}
        assert sorted(r["event_id"] for r in stored) == sorted(good)  # each once, the poison never
        causes = {json.loads(bytes(r["body"]))["causationid"] for r in published}
        assert causes == good
        assert max(batch_sizes) > 1  # the backlog did arrive in batches
    finally:
        await runtime.stop()
    async with amqp.channel() as channel:  # nothing left unacknowledged or waiting
        queue = await channel.declare_queue(runtime.names.handler_queue(handler.name), passive=True)
        assert queue.declaration_result.message_count == 0
