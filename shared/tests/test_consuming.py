"""The messaging kit on the real broker and database: idempotent consumption, parking, retries.

A test service, `kittest`, runs in-process with one handler for MemberUpserted whose behaviour each
test chooses per event id (succeed, fail transiently N times, fail forever)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aio_pika
import pytest

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import GatheringCancelled, MembershipStatus, MemberUpserted
from hearth_shared.messaging import HandlerContext, ServiceRuntime, handles
from hearth_shared.messaging.failures import ATTEMPT, PARKED_HANDLER, PARKED_REASON, PARKED_SERVICE
from hearth_shared.messaging.parking import list_parked, replay
from hearth_shared.settings import ServiceSettings
from hearth_testing.fixtures import TEST_RETRY_DELAYS
from hearth_testing.infra import Infra, TestDatabase
from hearth_testing.waiting import eventually

ROUTING_KEY = MemberUpserted.routing_key()
RETRY_DELAYS = TEST_RETRY_DELAYS

# How many more transient failures each member id should see before succeeding (-1: forever).
failures_left: dict[str, int] = {}
calls: Counter[str] = Counter()


@handles(MemberUpserted)
async def on_member_upserted(ctx: HandlerContext, member: MemberUpserted) -> None:
    calls[member.member_id] += 1
    left = failures_left.get(member.member_id, 0)
    if left:
        failures_left[member.member_id] = left - 1
        raise ConnectionError(f"simulated network failure for {member.member_id}")
    await ctx.conn.execute(
        "INSERT INTO effects (event_id, member_id) VALUES ($1, $2)", ctx.event.id, member.member_id
    )
    # Something published while handling, to show correlation and causation carried over.
    await ctx.publish(GatheringCancelled(gathering_id=uuid.uuid4(), reason=member.member_id))


@pytest.fixture(scope="module")
async def runtime(infra: Infra, database: TestDatabase, name_prefix: str) -> AsyncIterator[ServiceRuntime]:
    conn = await database.connect("kittest")
    await conn.execute("CREATE TABLE IF NOT EXISTS effects (event_id text, member_id text)")
    await conn.close()
    settings = ServiceSettings(
        amqp_url=infra.amqp_url,
        database_url=database.dsn("kittest"),
        name_prefix=name_prefix,
        retry_delays=RETRY_DELAYS,
    )
    runtime = ServiceRuntime("kittest", settings, handlers=[on_member_upserted])
    await runtime.start()
    await asyncio.wait_for(runtime.broker_ready.wait(), 30)
    yield runtime
    await runtime.stop()


def member_event(member_id: str) -> Any:
    return new_event(
        MemberUpserted(
            member_id=member_id,
            registration_number=f"R-{member_id}",
            name="Alex Morin",
            email=f"{member_id}@example.org",
            preferred_language="fr",
            status=MembershipStatus.ACTIVE,
            changed_at=datetime.now(UTC),
        ),
        source="/membership-register",
    )


async def publish_raw(
    amqp: aio_pika.abc.AbstractRobustConnection,
    runtime: ServiceRuntime,
    body: bytes,
    message_id: str,
) -> None:
    """Publish as an outside system would: to the events exchange, by routing key, persistent."""
    async with amqp.channel() as channel:
        exchange = await channel.get_exchange(runtime.names.events_exchange)
        await exchange.publish(
            aio_pika.Message(
                body,
                message_id=message_id,
                content_type="application/cloudevents+json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=ROUTING_KEY,
        )


async def publish(amqp: aio_pika.abc.AbstractRobustConnection, runtime: ServiceRuntime, event: Any) -> None:
    await publish_raw(amqp, runtime, event.model_dump_json().encode(), event.id)


async def effects_for(runtime: ServiceRuntime, member_id: str) -> int:
    assert runtime.pool is not None
    async with runtime.pool.acquire() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM effects WHERE member_id = $1", member_id))


async def wait_for_effect(runtime: ServiceRuntime, member_id: str, timeout: float = 15) -> None:
    await eventually(lambda: effects_for(runtime, member_id), timeout=timeout, interval=0.05)


async def parked(
    amqp: aio_pika.abc.AbstractRobustConnection,
    runtime: ServiceRuntime,
    message_id: str,
    timeout: float = 15,
) -> aio_pika.abc.AbstractIncomingMessage:
    """Wait for `message_id` in the parking queue (acking what it reads there)."""
    async with amqp.channel() as channel, asyncio.timeout(timeout):
        queue = await channel.get_queue(runtime.names.parking_queue)
        while True:
            message = await queue.get(fail=False, no_ack=True)
            if message is None:
                await asyncio.sleep(0.05)
            elif message.message_id == message_id:
                return message


async def test_bad_messages_are_parked_with_their_reason_and_valid_work_keeps_flowing(
    runtime: ServiceRuntime, amqp: aio_pika.abc.AbstractRobustConnection
) -> None:
    valid = member_event(f"m-{uuid.uuid4().hex[:8]}")
    wrong_type = json.loads(valid.model_dump_json()) | {"type": "org.hearth.membership.member_renamed.v9"}
    missing_email = json.loads(valid.model_dump_json())
    del missing_email["data"]["email"]
    bad = {
        "invalid_json": b"{not json",
        "schema_violation": json.dumps(missing_email | {"id": "bad-schema"}).encode(),
        "unknown_event_type": json.dumps(wrong_type | {"id": "bad-type"}).encode(),
    }
    ids = {reason: f"{reason}-{uuid.uuid4().hex[:8]}" for reason in bad}
    for reason, body in bad.items():
        await publish_raw(amqp, runtime, body, ids[reason])
    await publish(amqp, runtime, valid)

    await wait_for_effect(runtime, valid.data.member_id)
    for reason, message_id in ids.items():
        message = await parked(amqp, runtime, message_id)
        assert message.headers[PARKED_REASON] == reason
        assert message.headers[PARKED_SERVICE] == "kittest"
        assert message.headers[PARKED_HANDLER] == "on_member_upserted"
        assert message.headers["x-hearth-original-routing-key"] == ROUTING_KEY
        assert "x-hearth-parked-at" in message.headers
        assert message.body == bad[reason]
    parked_schema = await publish_and_park_detail(amqp, runtime, missing_email)
    assert "data.email: Field required" in parked_schema


async def publish_and_park_detail(
    amqp: aio_pika.abc.AbstractRobustConnection, runtime: ServiceRuntime, document: dict[str, Any]
) -> str:
    message_id = f"detail-{uuid.uuid4().hex[:8]}"
    await publish_raw(amqp, runtime, json.dumps(document | {"id": message_id}).encode(), message_id)
    message = await parked(amqp, runtime, message_id)
    return str(message.headers["x-hearth-parked-detail"])


async def test_the_same_message_delivered_twice_has_one_effect(
    runtime: ServiceRuntime, amqp: aio_pika.abc.AbstractRobustConnection
) -> None:
    event = member_event(f"dup-{uuid.uuid4().hex[:8]}")
    marker = member_event(f"marker-{uuid.uuid4().hex[:8]}")
    await publish(amqp, runtime, event)
    await wait_for_effect(runtime, event.data.member_id)
    await publish(amqp, runtime, event)  # same message id, after the first has committed
    await publish(amqp, runtime, event)
    await publish(amqp, runtime, marker)
    await wait_for_effect(runtime, marker.data.member_id)
    await asyncio.sleep(0.3)  # let any straggler settle; both copies were consumed before the marker
    assert await effects_for(runtime, event.data.member_id) == 1
    assert calls[event.data.member_id] == 1


async def test_a_transient_failure_is_retried_and_then_succeeds(
    runtime: ServiceRuntime, amqp: aio_pika.abc.AbstractRobustConnection
) -> None:
    event = member_event(f"flaky-{uuid.uuid4().hex[:8]}")
    failures_left[event.data.member_id] = 2
    await publish(amqp, runtime, event)
    await wait_for_effect(runtime, event.data.member_id)
    assert calls[event.data.member_id] == 3
    assert await effects_for(runtime, event.data.member_id) == 1


async def test_a_persistent_failure_is_parked_after_the_configured_attempts(
    runtime: ServiceRuntime, amqp: aio_pika.abc.AbstractRobustConnection
) -> None:
    event = member_event(f"broken-{uuid.uuid4().hex[:8]}")
    failures_left[event.data.member_id] = -1
    await publish(amqp, runtime, event)
    message = await parked(amqp, runtime, event.id)
    assert message.headers[PARKED_REASON] == "retries_exhausted"
    assert message.headers[ATTEMPT] == len(RETRY_DELAYS)
    assert "simulated network failure" in str(message.headers["x-hearth-parked-detail"])
    assert calls[event.data.member_id] == len(RETRY_DELAYS) + 1
    assert await effects_for(runtime, event.data.member_id) == 0


async def test_a_parked_message_is_listed_and_after_the_fix_replayed_to_its_handler(
    runtime: ServiceRuntime, amqp: aio_pika.abc.AbstractRobustConnection
) -> None:
    event = member_event(f"replayed-{uuid.uuid4().hex[:8]}")
    failures_left[event.data.member_id] = -1  # fails until "fixed"
    await publish(amqp, runtime, event)
    await eventually(
        lambda: list_parked(amqp, runtime.names), lambda found: any(p.message_id == event.id for p in found)
    )
    [listed] = [p for p in await list_parked(amqp, runtime.names) if p.message_id == event.id]
    assert (listed.handler, listed.reason) == ("on_member_upserted", "retries_exhausted")
    assert event.data.member_id in listed.body

    failures_left[event.data.member_id] = 0  # the cause is fixed
    [replayed] = await replay(amqp, runtime.names, event.id)
    assert replayed.message_id == event.id
    await wait_for_effect(runtime, event.data.member_id)
    assert all(p.message_id != event.id for p in await list_parked(amqp, runtime.names))


async def test_an_event_published_while_handling_carries_the_correlation_and_its_cause(
    runtime: ServiceRuntime, amqp: aio_pika.abc.AbstractRobustConnection
) -> None:
    event = member_event(f"causal-{uuid.uuid4().hex[:8]}")
    await publish(amqp, runtime, event)
    await wait_for_effect(runtime, event.data.member_id)
    assert runtime.pool is not None
    async with runtime.pool.acquire() as conn:
        body = await conn.fetchval(
            "SELECT body FROM outbox WHERE convert_from(body, 'UTF8') LIKE '%' || $1 || '%'",
            event.data.member_id,
        )
    published = json.loads(bytes(body))
    assert published["type"] == GatheringCancelled.event_type
    assert published["correlationid"] == event.correlationid
    assert published["causationid"] == event.id
    assert published["source"] == "/hearth/kittest"
