"""Notifications benchmark: from a ticket purchase's commit to its confirmation email accepted by
a local SMTP server.

Real registration and notifications processes against this machine's Postgres and RabbitMQ, and
an SMTP server (aiosmtpd, bench/smtp_clock.py) in a process of its own that notes the wall-clock
time it accepts each email. Purchases arrive at a steady rate (open loop: each is started on
schedule whether or not earlier ones have answered) for the given duration, from an aiohttp client
(httpx used most of a core at 300/s and became the bottleneck).

For each email: its acceptance time minus its purchase's time, taken from the TicketPurchased
event in registration's outbox. That time is set just before the event's insert and the commit,
so the figure slightly over-counts. Prints p50/p99/max and the counts; emails must equal
purchases, one each.

    uv run python bench/notify.py [--rate 300] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path

import aiohttp
from common import AMQP_URL, GATHERING, Bench, bench_environment, remove_topology, summarise

from hearth_notifications.handlers import HANDLERS as notification_handlers
from hearth_registration.handlers import HANDLERS as registration_handlers
from hearth_shared.contracts.catalogue import TicketPurchased
from hearth_shared.messaging import Names
from hearth_testing.processes import ServiceProcess, free_port
from hearth_testing.tokens import ServiceTokenAuth


async def purchase_at_rate(
    url: str, auth: ServiceTokenAuth, rate: float, seconds: float
) -> tuple[int, list[int], float]:
    """Buy tickets on a fixed schedule; return purchases made, refusals' statuses, offered rate."""
    purchases = int(rate * seconds)
    made = 0
    refused: list[int] = []
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(url, connector=connector) as client:
        async with client.post(
            "/gatherings", json=GATHERING | {"capacity": purchases + 10}, headers=auth.headers()
        ) as created:
            created.raise_for_status()
            gathering_id = (await created.json())["id"]

        # The connector's limit, taken before the token is signed: a purchase waiting for a
        # connection while registration lags would otherwise carry a token past its minute (401).
        connections = asyncio.Semaphore(256)

        async def buy(index: int) -> None:
            nonlocal made
            async with (
                connections,
                client.post(
                    f"/gatherings/{gathering_id}/tickets",
                    json={"name": f"Buyer {index}", "email": f"buyer.{uuid.uuid4().hex[:12]}@example.org"},
                    headers={"Idempotency-Key": f"{gathering_id}:{index}"} | auth.headers(),
                ) as response,
            ):
                await response.read()
                if response.status == 201:
                    made += 1
                else:
                    refused.append(response.status)

        started = time.perf_counter()
        tasks = []
        for index in range(purchases):
            delay = started + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(buy(index)))
        offered = purchases / (time.perf_counter() - started)
        await asyncio.gather(*tasks)
    return made, refused, offered


async def stage_times(bench: Bench) -> dict[str, dict[str, float]]:
    """For each purchase (by correlation id), wall-clock times of the stages before the SMTP server:
    `bought` (its TicketPurchased made, just before commit), `relayed` (claimed by registration's
    outbox relay), `recorded` (its delivery row's transaction in notifications)."""
    registration = await bench.database.connect("registration")
    notifications = await bench.database.connect("notifications")
    try:
        purchases = await registration.fetch(
            "SELECT correlation_id, body, published_at FROM outbox WHERE event_type = $1",
            TicketPurchased.event_type,
        )
        deliveries = await notifications.fetch(
            "SELECT correlation_id, created_at FROM deliveries WHERE template = 'ticket_confirmation'"
        )
    finally:
        await registration.close()
        await notifications.close()
    recorded = {r["correlation_id"]: r["created_at"].timestamp() for r in deliveries}
    return {
        r["correlation_id"]: {
            "bought": datetime.fromisoformat(json.loads(r["body"])["time"]).timestamp(),
            "relayed": r["published_at"].timestamp(),
            "recorded": recorded.get(r["correlation_id"], float("nan")),
        }
        for r in purchases
    }


def percentiles(values: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[max(int(len(ordered) * 0.99) - 1, 0)] * 1000


def accepted_times(path: Path) -> tuple[dict[str, float], int, int]:
    """Correlation id -> when its email was accepted; how many emails arrived in all; how many of
    them repeated an earlier one's correlation id."""
    lines = [line.split() for line in path.read_text().splitlines()]
    repeated = sum(n - 1 for n in Counter(c for c, _ in lines).values())
    return {c: float(t) for c, t in lines}, len(lines), repeated


async def drive(
    bench: Bench, registration: ServiceProcess, log: Path, rate: float, seconds: float
) -> dict[str, float]:
    made, refused, offered = await purchase_at_rate(registration.url, registration.auth(), rate, seconds)
    async with asyncio.timeout(300):
        while accepted_times(log)[1] < made:
            await asyncio.sleep(0.2)
    await asyncio.sleep(3)  # anything beyond one email per purchase would show up now
    stages = await stage_times(bench)
    accepted, emails, repeated = accepted_times(log)
    for correlation_id, times in stages.items():
        times["accepted"] = accepted.get(correlation_id, float("nan"))
    done = [t for t in stages.values() if t["accepted"] == t["accepted"]]  # NaN: never accepted
    p50, p99 = percentiles([t["accepted"] - t["bought"] for t in done])
    result = {
        "rate": rate,
        "offered_per_s": offered,
        "purchases": made,
        "purchase_errors": len(refused),
        **{f"purchase_errors_{status}": n for status, n in Counter(refused).items()},
        "emails": emails,
        "emails_repeated": repeated,
        "emails_missing": len(stages) - len(done),
        "p50_ms": p50,
        "p99_ms": p99,
        "max_ms": max(t["accepted"] - t["bought"] for t in done) * 1000,
    }
    for stage, (start, end) in {
        "relay": ("bought", "relayed"),
        "consume": ("relayed", "recorded"),
        "send": ("recorded", "accepted"),
    }.items():
        result[f"{stage}_p50_ms"], result[f"{stage}_p99_ms"] = percentiles([t[end] - t[start] for t in done])
    print(
        f"{made} purchases at {offered:,.0f}/s offered "
        f"({len(refused)} refused: {dict(Counter(refused))}), {emails} emails "
        f"({result['emails_missing']} missing, {repeated} repeated); commit -> SMTP accepted: "
        f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, max {result['max_ms']:.0f} ms\n"
        + "  stages p50/p99 ms: "
        + ", ".join(
            f"{s} {result[f'{s}_p50_ms']:.1f}/{result[f'{s}_p99_ms']:.1f}"
            for s in ("relay", "consume", "send")
        )
    )
    return result


async def main(rate: float, seconds: float) -> None:
    logs = Path(tempfile.mkdtemp())
    accepted_log = logs / "accepted.txt"
    accepted_log.touch()
    smtp_port = free_port()
    sink = await asyncio.create_subprocess_exec(
        sys.executable, str(Path(__file__).parent / "smtp_clock.py"), str(smtp_port), str(accepted_log)
    )
    async with bench_environment() as bench:

        def env(service: str, **extra: str) -> dict[str, str]:
            return {
                "HEARTH_AMQP_URL": AMQP_URL,
                "HEARTH_DATABASE_URL": bench.database.dsn(service),
                "HEARTH_NAME_PREFIX": bench.prefix,
                "HEARTH_HTTP_PORT": str(free_port()),
                "HEARTH_LOG_LEVEL": "WARNING",
                **extra,
            }

        notifications = ServiceProcess(
            "notifications",
            env(
                "notifications",
                HEARTH_SMTP_PORT=str(smtp_port),
                HEARTH_SMTP_RATE_PER_SECOND="5000",
                HEARTH_SMTP_CONNECTIONS="8",
            ),
            logs / "notifications.log",
        )
        registration = ServiceProcess("registration", env("registration"), logs / "registration.log")
        await notifications.start()
        await registration.start()
        try:
            result = await drive(bench, registration, accepted_log, rate, seconds)
        finally:
            await registration.stop()
            await notifications.stop()
            sink.terminate()
            await sink.wait()
            for service, found in (
                ("registration", registration_handlers),
                ("notifications", notification_handlers),
            ):
                await remove_topology(bench.amqp, Names(bench.prefix, service), [h.name for h in found], [])
        summarise("notify", {"p99_ms": [result["p99_ms"]]}, {"details": result})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.seconds))
