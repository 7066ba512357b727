"""Foundation benchmark: how fast a backlog of events is consumed.

(a) raw: an aio-pika consumer doing one asyncpg transaction per message (insert one row), ack
    after commit — the simplest correct consumer, with no inbox, outbox, retry or parking.
(b) kit: Hearth's consumer — parse and validate the CloudEvent, inbox row + effect row + outbox
    row per message, deliveries batched into one transaction and acked after its commit, with the
    outbox relay running and publishing what the handler wrote.

Both drain the same backlog size from a quorum queue on the same broker and database, alternating
over several rounds; the medians and their ratio are printed and written to bench/results/.

    uv run python bench/consume.py [--events 50000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from decimal import Decimal
from typing import Any

import aio_pika
import asyncpg
from common import (
    AMQP_URL,
    Bench,
    bench_environment,
    publish_backlog,
    remove_topology,
    summarise,
    wait_for_rows,
)

from hearth_shared.contracts import CloudEvent, new_event
from hearth_shared.contracts.catalogue import AttendanceRecorded, CreditsAwarded
from hearth_shared.messaging import HandlerContext, Names, ServiceRuntime, handles
from hearth_shared.messaging.topology import declare_exchanges, declare_service
from hearth_shared.settings import ServiceSettings

SCHEMA = "kittest"  # the benchmark's own schema and role (provisioned like a service)
PREFETCH = 256


def backlog(count: int) -> list[CloudEvent[Any]]:
    gathering = uuid.uuid4()
    return [
        new_event(
            AttendanceRecorded(
                attendance_id=uuid.uuid4(),
                gathering_id=gathering,
                person_id=uuid.uuid4(),
                minutes_attended=75,
                revision=1,
            ),
            source="/bench",
        )
        for _ in range(count)
    ]


@handles(AttendanceRecorded, name="record_attendance")
async def record_attendance(ctx: HandlerContext, attendance: AttendanceRecorded) -> None:
    await ctx.conn.execute(
        "INSERT INTO kit_effects (event_id, person_id, minutes) VALUES ($1, $2, $3)",
        ctx.event.id,
        attendance.person_id,
        attendance.minutes_attended,
    )
    await ctx.publish(
        CreditsAwarded(
            entry_id=uuid.uuid4(),
            person_id=attendance.person_id,
            activity_id=attendance.gathering_id,
            hours=Decimal(attendance.minutes_attended // 15) / 4,
            category="community_of_practice",
            cycle="2026-2027",
        )
    )


async def run_raw(bench: Bench, events: list[CloudEvent[Any]], round_no: int) -> float:
    names = Names(bench.prefix, SCHEMA)
    queue_name = f"{bench.prefix}raw.round{round_no}"
    channel = await bench.amqp.channel()
    await channel.set_qos(prefetch_count=PREFETCH)
    exchange = await channel.get_exchange(names.events_exchange)
    queue = await channel.declare_queue(
        queue_name, durable=True, arguments={"x-queue-type": "quorum", "x-delivery-limit": 10}
    )
    await queue.bind(exchange, f"raw{round_no}")
    await publish_backlog(bench.amqp, names.events_exchange, f"raw{round_no}", events)

    dsn = bench.database.dsn(SCHEMA)
    pool = await asyncpg.create_pool(dsn, min_size=10, max_size=10, server_settings={"search_path": SCHEMA})

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        body = json.loads(message.body)
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO raw_effects (event_id, person_id, minutes) VALUES ($1, $2, $3)",
                body["id"],
                uuid.UUID(body["data"]["person_id"]),
                body["data"]["minutes_attended"],
            )
        await message.ack()

    started = time.perf_counter()
    tag = await queue.consume(on_message)
    await wait_for_rows(dsn, SCHEMA, "raw_effects", len(events) * round_no)
    elapsed = time.perf_counter() - started
    await queue.cancel(tag)
    await queue.delete(if_unused=False, if_empty=False)
    await channel.close()
    await pool.close()
    return len(events) / elapsed


async def run_kit(bench: Bench, events: list[CloudEvent[Any]], round_no: int) -> float:
    settings = ServiceSettings(
        amqp_url=AMQP_URL,
        database_url=bench.database.dsn(SCHEMA),
        name_prefix=bench.prefix,
        prefetch=PREFETCH,
    )
    runtime = ServiceRuntime(SCHEMA, settings, handlers=[record_attendance])
    names = runtime.names
    # Declare the topology and fill the queue before the consumer starts: a backlog.
    async with bench.amqp.channel() as channel:
        await declare_service(
            channel,
            names,
            handlers={"record_attendance": [AttendanceRecorded.routing_key()]},
            retry_delays=settings.retry_delays,
            delivery_limit=settings.delivery_limit,
        )
    await publish_backlog(bench.amqp, names.events_exchange, AttendanceRecorded.routing_key(), events)
    started = time.perf_counter()
    await runtime.start()
    await wait_for_rows(bench.database.dsn(SCHEMA), SCHEMA, "kit_effects", len(events) * round_no)
    elapsed = time.perf_counter() - started
    await runtime.stop()
    return len(events) / elapsed


async def main(count: int, rounds: int) -> None:
    async with bench_environment() as bench:
        conn = await bench.database.connect(SCHEMA)
        for table in ("raw_effects", "kit_effects"):
            await conn.execute(f"CREATE TABLE {table} (event_id text, person_id uuid, minutes int)")
        await conn.close()
        async with bench.amqp.channel() as channel:
            await declare_exchanges(channel, Names(bench.prefix, SCHEMA))
        results: dict[str, list[float]] = {"raw_per_message": [], "kit": []}
        for round_no in range(1, rounds + 1):
            events = backlog(count)
            raw = await run_raw(bench, events, round_no)
            kit = await run_kit(bench, backlog(count), round_no)
            results["raw_per_message"].append(raw)
            results["kit"].append(kit)
            print(f"round {round_no}: raw {raw:,.0f} msg/s, kit {kit:,.0f} msg/s, ratio {kit / raw:.2f}")
        await remove_topology(bench.amqp, Names(bench.prefix, SCHEMA), ["record_attendance"], [])
        summary = summarise("consume", results, {"events_per_round": count, "prefetch": PREFETCH})
        median = summary["median"]
        ratio = median["kit"] / median["raw_per_message"]
        print(
            f"\nmedian over {rounds} rounds of {count:,} events: raw {median['raw_per_message']:,.0f} msg/s,"
            f" kit {median['kit']:,.0f} msg/s, kit/raw = {ratio:.2f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.rounds))
