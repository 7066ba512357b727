"""A kit service for the delivery-guarantee tests: `kittest` in-process, on the real broker and
database, with one handler whose queue is named per test (removed afterwards).

The handler records each event it applies in `guarded_effects`; a member id chooses a failure:
`range-…` makes Postgres refuse the data (smallint out of range), `slow-<seconds>-…` takes that long."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aio_pika
import pytest
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from hearth_shared.contracts import CloudEvent, new_event
from hearth_shared.contracts.catalogue import MembershipStatus, MemberUpserted
from hearth_shared.messaging import Handler, HandlerContext, ServiceRuntime, handles
from hearth_shared.messaging.topology import delete_names
from hearth_shared.settings import ServiceSettings
from hearth_testing.fixtures import TEST_RETRY_DELAYS
from hearth_testing.infra import Infra, TestDatabase

ROUTING_KEY = MemberUpserted.routing_key()


@handles(MemberUpserted)
async def on_guarded(ctx: HandlerContext, member: MemberUpserted) -> None:
    if member.member_id.startswith("range-"):
        await ctx.conn.execute("SELECT $1::int::smallint", 100_000)  # the data, not the database
    if member.member_id.startswith("slow-"):  # slow-<seconds>-…
        await asyncio.sleep(float(member.member_id.split("-")[1]))
    await ctx.conn.execute(
        "INSERT INTO guarded_effects (source, event_id, member_id) VALUES ($1, $2, $3)",
        ctx.event.source,
        ctx.event.id,
        member.member_id,
    )


def member(member_id: str, *, source: str = "/membership-register", event_id: str | None = None) -> Any:
    data = MemberUpserted(
        member_id=member_id,
        registration_number=f"R-{member_id}",
        name="Alex Morin",
        email="alex.morin@example.org",
        preferred_language="fr",
        status=MembershipStatus.ACTIVE,
        changed_at=datetime.now(UTC),
    )
    return new_event(data, source=source, event_id=event_id)


@dataclasses.dataclass
class KitService:
    """One running kit service and what a test does with it."""

    runtime: ServiceRuntime
    amqp: AbstractRobustConnection
    handler: str
    database: TestDatabase
    parked: dict[str, AbstractIncomingMessage] = dataclasses.field(default_factory=dict)

    async def publish_raw(self, body: bytes, message_id: str | None = None) -> None:
        """As an outside system would: to the events exchange, by routing key, persistent."""
        async with self.amqp.channel() as channel:
            exchange = await channel.get_exchange(self.runtime.names.events_exchange)
            message = aio_pika.Message(
                body, message_id=message_id, delivery_mode=aio_pika.DeliveryMode.PERSISTENT
            )
            await exchange.publish(message, routing_key=ROUTING_KEY)

    async def publish(self, event: CloudEvent[Any]) -> None:
        await self.publish_raw(event.model_dump_json().encode(), event.id)

    async def effects(self, member_id: str | None = None) -> list[tuple[str, str, str]]:
        """`(source, event_id, member_id)` applied (for `member_id`, or all)."""
        conn = await self.database.connect("kittest")
        try:
            rows = await conn.fetch(
                "SELECT source, event_id, member_id FROM guarded_effects "
                "WHERE ($1::text IS NULL OR member_id = $1)",
                member_id,
            )
        finally:
            await conn.close()
        return [(r["source"], r["event_id"], r["member_id"]) for r in rows]

    async def wait_for_effect(self, member_id: str, timeout: float = 20) -> None:
        async with asyncio.timeout(timeout):
            while not await self.effects(member_id):
                await asyncio.sleep(0.05)

    async def drain_parking(self) -> dict[str, AbstractIncomingMessage]:
        """Read what the parking queue holds now; keep what this test's handler parked, by id."""
        async with self.amqp.channel() as channel:
            queue = await channel.get_queue(self.runtime.names.parking_queue)
            while (message := await queue.get(fail=False, no_ack=True)) is not None:
                if (message.headers or {}).get("x-hearth-parked-handler") == self.handler:
                    self.parked[message.message_id or f"(no id) {len(self.parked)}"] = message
        return self.parked

    async def parked_messages(self, count: int, timeout: float = 20) -> dict[str, AbstractIncomingMessage]:
        """Read the parking queue until at least `count` messages parked by this test's handler."""
        async with asyncio.timeout(timeout):
            while len(await self.drain_parking()) < count:
                await asyncio.sleep(0.05)
        return self.parked


StartKit = Callable[..., Awaitable[KitService]]


@pytest.fixture
async def start_kit(
    infra: Infra, database: TestDatabase, name_prefix: str, amqp: AbstractRobustConnection
) -> AsyncIterator[StartKit]:
    """Start the kit service with a handler (`on_guarded` unless given) on a queue of its own."""
    conn = await database.connect("kittest")
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS guarded_effects (source text, event_id text, member_id text)"
    )
    await conn.execute("TRUNCATE guarded_effects")  # each test sees only its own effects
    await conn.close()
    started: list[ServiceRuntime] = []

    async def start(
        database_url: str | None = None,
        handler: Handler = on_guarded,
        copies: int = 1,
        amqp_url: str | None = None,
        **settings: Any,
    ) -> KitService:
        """`copies` of the handler, each on its own queue (every event reaches each of them)."""
        name = f"guarded_{uuid.uuid4().hex[:8]}"
        handlers = [dataclasses.replace(handler, name=f"{name}{'_' * i}") for i in range(copies)]
        runtime = ServiceRuntime(
            "kittest",
            ServiceSettings(
                amqp_url=amqp_url or infra.amqp_url,
                database_url=database_url or database.dsn("kittest"),
                name_prefix=name_prefix,
                retry_delays=TEST_RETRY_DELAYS,
                **settings,
            ),
            handlers=handlers,
        )
        started.append(runtime)
        await runtime.start()
        await asyncio.wait_for(runtime.broker_ready.wait(), 30)
        return KitService(runtime, amqp, name, database)

    yield start
    for runtime in started:
        await runtime.stop()
        queues = [runtime.names.handler_queue(h.name) for h in runtime.handlers]
        await delete_names(amqp, queues, [])
