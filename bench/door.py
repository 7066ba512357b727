"""The HTTP door: signed MemberUpserted events accepted per second (202 = the broker confirmed),
with p50/p99 latency, in structured mode one event per request and in batches.

A real gateway (`python -m hearth_gateway`) against this machine's Postgres and RabbitMQ, one
system registered with one secret; an httpx client keeps C requests in flight. Nothing consumes:
the events land in the bounded `hearth.unrouted.recent` queue of the bench's own prefix, removed
afterwards. Signing happens before the clock starts (the sender's cost, not the door's).

    uv run python bench/door.py [--events 3000] [--concurrency 32] [--batch 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from common import AMQP_URL, bench_environment, cpu_seconds, remove_topology, summarise
from standardwebhooks.webhooks import Webhook

from hearth_gateway.actions import systems
from hearth_shared.contracts import new_event
from hearth_shared.messaging import Names
from hearth_testing.builders import member_upserted
from hearth_testing.processes import ServiceProcess, free_port

MEMBER = "org.hearth.membership.member_upserted.v1"


def signed_requests(secret: str, events: int, batch: int) -> list[tuple[bytes, dict[str, str]]]:
    webhook = Webhook(secret)
    kind = "application/cloudevents+json" if batch == 1 else "application/cloudevents-batch+json"
    requests = []
    for _ in range(0, events, batch):
        documents = [
            new_event(member_upserted(), source="/membership-register").model_dump(mode="json")
            for _ in range(batch)
        ]
        body = json.dumps(documents[0] if batch == 1 else documents)
        message_id, now = f"msg_{uuid.uuid4().hex}", datetime.now(UTC)
        headers = {
            "content-type": kind,
            "webhook-id": message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": webhook.sign(message_id, now, body),
        }
        requests.append((body.encode(), headers))
    return requests


async def run(
    url: str, requests: list[tuple[bytes, dict[str, str]]], concurrency: int, batch: int, pid: int
) -> dict[str, float]:
    latencies: list[float] = []
    statuses: list[int] = []
    in_flight = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency), timeout=120) as client:

        async def send(body: bytes, headers: dict[str, str]) -> None:
            async with in_flight:
                started = time.perf_counter()
                answer = await client.post(url, content=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                statuses.append(answer.status_code)

        started, cpu = time.perf_counter(), cpu_seconds([pid])
        await asyncio.gather(*(send(body, headers) for body, headers in requests))
        elapsed, cpu = time.perf_counter() - started, cpu_seconds([pid]) - cpu
    accepted = statuses.count(202)
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "events_per_second": accepted * batch / elapsed,
        "requests_per_second": accepted / elapsed,
        "p50_ms": quantiles[49] * 1000,
        "p99_ms": quantiles[98] * 1000,
        "gateway_cpu_ms_per_request": cpu * 1000 / len(requests),
        "refused": len(statuses) - accepted,
    }


async def main(events: int, concurrency: int, batch: int) -> None:
    async with bench_environment() as bench:
        env = {
            "HEARTH_AMQP_URL": AMQP_URL,
            "HEARTH_DATABASE_URL": bench.database.dsn("gateway"),
            "HEARTH_NAME_PREFIX": bench.prefix,
            "HEARTH_HTTP_PORT": str(free_port()),
            "HEARTH_SERVICE_TOKEN_KEY": secrets.token_urlsafe(40),
        }
        gateway = ServiceProcess("gateway", env, Path(tempfile.mkdtemp()) / "gateway.log")
        await gateway.start(timeout=90)
        pool = await asyncpg.create_pool(
            bench.database.dsn("gateway"), server_settings={"search_path": "gateway"}
        )
        try:
            secret = await systems.register(pool, None, "membership-register", [MEMBER], None)
            url = f"{gateway.url}/door/membership-register/events"
            pid = gateway.pid or 0
            rounds: dict[str, list[float]] = {}
            for size in (1, batch):
                await run(url, signed_requests(secret, 200, size), concurrency, size, pid)  # warm up
                found = await run(url, signed_requests(secret, events, size), concurrency, size, pid)
                print(f"batch {size}: {found}")
                for key, value in found.items():
                    rounds.setdefault(f"batch{size}_{key}", []).append(value)
        finally:
            await pool.close()
            await gateway.stop()
            await remove_topology(bench.amqp, Names(bench.prefix, "gateway"), [], [])
    summarise("door", rounds, {"events": events, "concurrency": concurrency, "batch": batch})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--batch", type=int, default=50)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.events, arguments.concurrency, arguments.batch))
