"""What the benchmarks share: a throwaway database and broker prefix, backlog publishing, results."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import secrets
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import aiohttp
import asyncpg

from hearth_shared.contracts import CloudEvent
from hearth_shared.messaging import Names
from hearth_shared.messaging.topology import declared_names, delete_names
from hearth_shared.settings import ServiceSettings
from hearth_testing.infra import TestDatabase

AMQP_URL = os.environ.get("HEARTH_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
ADMIN_DSN = os.environ.get("HEARTH_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RESULTS = Path(__file__).parent / "results"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The gathering the purchase benchmarks buy tickets to (they add its capacity).
GATHERING = {
    "title": {"en": "Benchmark gathering", "fr": "Rencontre d'essai"},
    "kind": "community_of_practice",
    "modality": "virtual",
    "starts_at": "2027-05-06T16:00:00Z",
    "ends_at": "2027-05-06T17:30:00Z",
    "time_zone": "America/Halifax",
    "join_url": "https://video.example.org/j/bench",
}


@dataclass
class Bench:
    database: TestDatabase
    prefix: str
    amqp: aio_pika.abc.AbstractRobustConnection


@asynccontextmanager
async def bench_environment() -> AsyncIterator[Bench]:
    tag = secrets.token_hex(4)
    database = TestDatabase(ADMIN_DSN, f"hearth_bench_{tag}", f"hb{tag}_")
    await database.create()
    amqp = await aio_pika.connect_robust(AMQP_URL)
    try:
        yield Bench(database, f"bench{tag}.", amqp)
    finally:
        await amqp.close()
        await database.drop()


async def remove_topology(
    amqp: aio_pika.abc.AbstractRobustConnection,
    names: Names,
    handler_names: list[str],
    extra_queues: list[str],
) -> None:
    """Remove what a benchmark declared: its quorum queues would otherwise outlive it."""
    queues, exchanges = declared_names(names, handler_names, ServiceSettings().retry_delays)
    await delete_names(amqp, queues + extra_queues, exchanges)


async def publish_backlog(
    amqp: aio_pika.abc.AbstractRobustConnection,
    exchange_name: str,
    routing_key: str,
    events: list[CloudEvent[Any]],
) -> float:
    """Publish persistent messages with confirms, 500 in flight; return messages per second."""
    started = time.perf_counter()
    channel = await amqp.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(exchange_name)
    for start in range(0, len(events), 500):
        await asyncio.gather(
            *(
                exchange.publish(
                    aio_pika.Message(
                        event.model_dump_json().encode(),
                        message_id=event.id,
                        content_type="application/cloudevents+json",
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=routing_key,
                )
                for event in events[start : start + 500]
            )
        )
    await channel.close()
    return len(events) / (time.perf_counter() - started)


async def wait_for_rows(dsn: str, schema: str, table: str, count: int, timeout: float = 900) -> float:
    """Seconds until `table` holds `count` rows (polled every 50 ms)."""
    conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            while await conn.fetchval(f"SELECT count(*) FROM {table}") < count:  # noqa: S608 - fixed names
                await asyncio.sleep(0.05)
    finally:
        await conn.close()
    return time.perf_counter() - started


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def summarise(name: str, rounds: dict[str, list[float]], extra: dict[str, Any]) -> dict[str, Any]:
    summary = {
        "benchmark": name,
        "machine": machine(),
        "rounds": rounds,
        "median": {k: statistics.median(v) for k, v in rounds.items()},
        **extra,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"results written to {path}")
    return summary


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / CLOCK_TICKS


def postgres_pids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@dataclass
class Answers:
    """What a closed-loop load got back: each request's seconds and status (0: no answer)."""

    latencies: list[float]
    statuses: list[int]
    elapsed: float
    client_cpu: float  # seconds of CPU the client's process spent meanwhile (is it the limit?)


async def keep_in_flight(concurrency: int, attempts: int, send: Callable[[int], Awaitable[int]]) -> Answers:
    """`send(i)` for i in range(attempts), exactly `concurrency` at a time (a new one as soon as one
    answers). The client is aiohttp, for Hearth and its peer alike: httpx took a whole core of its
    own at about 100 requests/s on this machine, so the client, not the server, set the rate."""
    answers = Answers([], [], 0.0, 0.0)
    indices = iter(range(attempts))

    async def lane() -> None:
        for index in indices:
            started = time.perf_counter()
            try:
                status = await send(index)
            except (aiohttp.ClientError, TimeoutError):
                status = 0  # counted as an error; the run goes on
            answers.latencies.append(time.perf_counter() - started)
            answers.statuses.append(status)

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    answers.elapsed, answers.client_cpu = time.perf_counter() - started, time.process_time() - cpu
    return answers


def client_session(base_url: str, concurrency: int, **kwargs: Any) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=300)
    return aiohttp.ClientSession(base_url, connector=connector, timeout=timeout, **kwargs)


def load_figures(
    concurrency: int, attempts: int, elapsed: float, latencies: list[float], service_cpu: float, pg_cpu: float
) -> dict[str, float]:
    """Rate, p50/p99 and CPU per request of a closed-loop load (purchase.py and its pretix peer)."""
    latencies = sorted(latencies)
    return {
        "concurrency": concurrency,
        "purchases_per_s": attempts / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "service_cpu_ms_per_purchase": service_cpu / attempts * 1000,
        "postgres_cpu_ms_per_purchase": pg_cpu / attempts * 1000,
    }
