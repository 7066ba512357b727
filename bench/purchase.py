"""Registration benchmark: ticket purchases through the HTTP API on one gathering.

A real registration process (`python -m hearth_registration`) against this machine's Postgres
and RabbitMQ; an aiohttp client keeps exactly C requests in flight (C = 32, then 64), each buying
for a distinct person, more buyers than seats so the waitlist path runs too. Reports purchases/s,
p50/p99 latency, CPU time per purchase of the service process and of all Postgres processes
(from /proc), and the oversell count (active tickets beyond capacity: must be 0).

With `--peer pretix`, in the same run and at each concurrency right after Hearth's, the same
purchases as orders through pretix's REST API (bench/pretix_peer.py: pretix from PyPI in a venv
and database of its own, gunicorn with two workers); prints both rates, p50/p99 and the ratio.
`--peer-attempts N` places fewer pretix orders (its capacity scaled alike) when time is short.

    uv run python bench/purchase.py [--attempts 4000] [--capacity 3000] [--concurrency 32 64]
                                    [--peer pretix [--peer-attempts 1000]]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import uuid
from contextlib import AsyncExitStack
from pathlib import Path

from common import (
    AMQP_URL,
    GATHERING,
    bench_environment,
    client_session,
    cpu_seconds,
    keep_in_flight,
    load_figures,
    postgres_pids,
    summarise,
)
from pretix_peer import place_orders, pretix_server

from hearth_testing.processes import ServiceProcess, free_port


async def run(
    registration: ServiceProcess, pid: int, concurrency: int, attempts: int, capacity: int
) -> dict[str, float]:
    auth = registration.auth("admin")
    async with client_session(registration.url, concurrency) as client:
        async with client.post(
            "/gatherings", json=GATHERING | {"capacity": capacity}, headers=auth.headers()
        ) as made:
            made.raise_for_status()
            gathering_id = (await made.json())["id"]

        async def buy(index: int) -> int:
            async with client.post(
                f"/gatherings/{gathering_id}/tickets",
                json={"name": f"Buyer {index}", "email": f"buyer.{uuid.uuid4().hex[:12]}@example.org"},
                headers={"Idempotency-Key": f"{gathering_id}:{index}"} | auth.headers(),
            ) as response:
                await response.read()
                return response.status

        service_cpu, pg_cpu = cpu_seconds([pid]), cpu_seconds(postgres_pids())
        answers = await keep_in_flight(concurrency, attempts, buy)
        service_cpu, pg_cpu = cpu_seconds([pid]) - service_cpu, cpu_seconds(postgres_pids()) - pg_cpu
        async with client.get(f"/gatherings/{gathering_id}", headers=auth.headers()) as shown:
            seats = (await shown.json())["seats_taken"]
    statuses, elapsed, latencies = answers.statuses, answers.elapsed, answers.latencies
    tickets = statuses.count(201)
    result = {
        **load_figures(concurrency, attempts, elapsed, latencies, service_cpu, pg_cpu),
        "tickets": tickets,
        "waitlisted": statuses.count(202),
        "errors": len(statuses) - tickets - statuses.count(202),
        "oversell": max(0, tickets - capacity) + max(0, seats - capacity),
        "client_cpu_ms_per_purchase": answers.client_cpu / attempts * 1000,
    }
    print(
        f"concurrency {concurrency}: {result['purchases_per_s']:,.0f} purchases/s, "
        f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, CPU per purchase: "
        f"service {result['service_cpu_ms_per_purchase']:.2f} ms "
        f"+ Postgres {result['postgres_cpu_ms_per_purchase']:.2f} ms "
        f"(client {result['client_cpu_ms_per_purchase']:.2f} ms), {tickets} tickets, "
        f"{result['waitlisted']} waitlisted, {result['errors']} errors, oversell {result['oversell']}"
    )
    return result


async def main(
    attempts: int, capacity: int, concurrencies: list[int], peer: str | None, peer_attempts: int
) -> None:
    async with bench_environment() as bench, AsyncExitStack() as stack:
        env = {
            "HEARTH_AMQP_URL": AMQP_URL,
            "HEARTH_DATABASE_URL": bench.database.dsn("registration"),
            "HEARTH_NAME_PREFIX": bench.prefix,
            "HEARTH_HTTP_PORT": str(free_port()),
            "HEARTH_LOG_LEVEL": "WARNING",
        }
        log = Path(tempfile.mkdtemp()) / "registration.log"
        registration = ServiceProcess("registration", env, log)
        pretix = await stack.enter_async_context(pretix_server()) if peer == "pretix" else None
        await registration.start()
        assert registration.pid is not None
        results: dict[str, dict[str, float]] = {}
        try:
            for c in concurrencies:
                results[f"c{c}"] = await run(registration, registration.pid, c, attempts, capacity)
                if pretix is not None:
                    peer_capacity = capacity * peer_attempts // attempts
                    results[f"pretix_c{c}"] = await place_orders(pretix, c, peer_attempts, peer_capacity)
                    ratio = results[f"c{c}"]["purchases_per_s"] / results[f"pretix_c{c}"]["purchases_per_s"]
                    results[f"c{c}"]["ratio_to_pretix"] = ratio
                    print(f"concurrency {c}: Hearth / pretix = {ratio:.1f}x")
        finally:
            await registration.stop()
        summarise(
            "purchase",
            {k: [v["purchases_per_s"]] for k, v in results.items()},
            {
                "attempts": attempts,
                "capacity": capacity,
                "peer": peer,
                "peer_attempts": peer_attempts if peer else None,
                "details": results,
            },
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--attempts", type=int, default=4000)
    parser.add_argument("--capacity", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[32, 64])
    parser.add_argument("--peer", choices=["pretix"], default=None)
    parser.add_argument("--peer-attempts", type=int, default=None, help="default: --attempts")
    args = parser.parse_args()
    asyncio.run(
        main(args.attempts, args.capacity, args.concurrency, args.peer, args.peer_attempts or args.attempts)
    )
