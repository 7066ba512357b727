"""Staff pages benchmark: p95 time of the dashboard, a registrant list, a person page and the
parked-message list, at the scale issue 12 names.

The real gateway, registration, credits, notifications and groups (`python -m hearth_<service>`) against
this machine's Postgres and RabbitMQ, in a bench database of their own. Once each service has
made its schema, the data is written straight into it with `INSERT … SELECT generate_series`
(bench only; the services never read one another's tables): 100,000 people (in registration,
credits and notifications), 200 past gatherings and 10 upcoming ones, 10,000 registrants on one
of them (a third checked in, feedback, a waiting list), 100,000 past tickets with attendance,
1,000,000 ledger rows (ten per person, over two cycles), a certificate per person, 200,000
deliveries, and 100 parked messages. An admin made by the command line signs in with two-factor
authentication, then each page is requested `--requests` times in turn, one at a time, through
the gateway (which calls the services over HTTP, as in production).

    uv run python bench/staff_pages.py [--requests 60]
"""

# ruff: noqa: S608 - the seed statements are built from this file's constants, never from input

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aio_pika
import httpx
import pyotp
from common import AMQP_URL, Bench, bench_environment, remove_topology, summarise

from hearth_shared.messaging import Names
from hearth_testing.fixtures import handlers_under_test
from hearth_testing.processes import ServiceProcess, free_port

PEOPLE = 100_000
REGISTRANTS = 10_000
LEDGER_PER_PERSON = 10
PAST = 200
UPCOMING = 10
PARKED = 100
TARGET_MS = 200.0

BIG = "md5('gathering-big')::uuid"
PERSON = "md5('person-' || {i})::uuid"
PAST_GATHERING = "md5('gathering-' || {i})::uuid"

REGISTRATION_SEED = [
    f"""INSERT INTO people (id, email, name, preferred_language, member_id, membership_status)
        SELECT {PERSON.format(i="i")}, 'person' || i || '@example.org', 'Person ' || i,
               CASE WHEN i % 4 = 0 THEN 'fr' ELSE 'en' END,
               CASE WHEN i % 3 <> 0 THEN 'M' || i END, CASE WHEN i % 3 <> 0 THEN 'active' END
        FROM generate_series(1, {PEOPLE}) i""",
    f"""INSERT INTO gatherings (id, title_en, title_fr, kind, modality, starts_at, ends_at, time_zone,
                               capacity, seats_taken, join_url, status)
        SELECT {PAST_GATHERING.format(i="i")}, 'Past gathering ' || i, 'Rencontre passée ' || i,
               'community_of_practice', 'virtual', now() - i * interval '2 days',
               now() - i * interval '2 days' + interval '90 minutes', 'America/Halifax', 1000, 500,
               'https://video.example.org/j/' || i, 'closed'
        FROM generate_series(1, {PAST}) i""",
    f"""INSERT INTO gatherings (id, title_en, title_fr, kind, modality, starts_at, ends_at, time_zone,
                               capacity, seats_taken, join_url, status)
        SELECT CASE WHEN i = 1 THEN {BIG} ELSE md5('upcoming-' || i)::uuid END,
               'Upcoming gathering ' || i, 'Rencontre à venir ' || i, 'community_of_practice', 'virtual',
               now() + i * interval '3 days', now() + i * interval '3 days' + interval '90 minutes',
               'America/Halifax', CASE WHEN i = 1 THEN {REGISTRANTS} ELSE 200 END,
               CASE WHEN i = 1 THEN {REGISTRANTS} ELSE 0 END, 'https://video.example.org/u/' || i, 'open'
        FROM generate_series(1, {UPCOMING}) i""",
    """INSERT INTO ticket_types (gathering_id, kind, price_cents)
        SELECT id, k, CASE WHEN k = 'member' THEN 0 ELSE 2500 END FROM gatherings,
               unnest(ARRAY['member', 'non_member']) k""",
    f"""INSERT INTO breakouts (id, gathering_id, name_en, name_fr, language, capacity, seats_taken)
        VALUES (md5('breakout-en')::uuid, {BIG}, 'English group', 'Groupe anglophone', 'en',
                {REGISTRANTS}, {REGISTRANTS // 2}),
               (md5('breakout-fr')::uuid, {BIG}, 'French group', 'Groupe francophone', 'fr',
                {REGISTRANTS}, {REGISTRANTS // 2})""",
    f"""INSERT INTO tickets (id, gathering_id, person_id, ticket_type, price_cents, breakout_id, created_at)
        SELECT md5('ticket-big-' || i)::uuid, {BIG}, {PERSON.format(i="i")},
               CASE WHEN i % 3 <> 0 THEN 'member' ELSE 'non_member' END,
               CASE WHEN i % 3 <> 0 THEN 0 ELSE 2500 END,
               CASE WHEN i % 2 = 0 THEN md5('breakout-fr')::uuid ELSE md5('breakout-en')::uuid END,
               now() - interval '20 days' + i * interval '1 minute'
        FROM generate_series(1, {REGISTRANTS}) i""",
    f"""INSERT INTO attendance (id, gathering_id, person_id, minutes_attended, source)
        SELECT md5('attendance-big-' || i)::uuid, {BIG}, {PERSON.format(i="i")}, 90, 'check_in'
        FROM generate_series(1, {REGISTRANTS}, 3) i""",
    f"""INSERT INTO feedback (id, gathering_id, person_id, benefit_rating)
        SELECT md5('feedback-' || i)::uuid, {BIG}, {PERSON.format(i="i")}, 1 + i % 5
        FROM generate_series(1, {REGISTRANTS}, 5) i""",
    f"""INSERT INTO waitlist (id, gathering_id, person_id, ticket_type)
        SELECT md5('waiting-' || i)::uuid, {BIG}, {PERSON.format(i="i")}, 'member'
        FROM generate_series({REGISTRANTS + 1}, {REGISTRANTS + 300}) i""",
    # 500 tickets on each past gathering, every person on one of them, all attended.
    f"""INSERT INTO tickets (id, gathering_id, person_id, ticket_type, price_cents, created_at)
        SELECT md5('ticket-' || i)::uuid, {PAST_GATHERING.format(i="1 + i % " + str(PAST))},
               {PERSON.format(i="i")}, 'member', 0, now() - interval '500 days'
        FROM generate_series(1, {PEOPLE}) i""",
    f"""INSERT INTO attendance (id, gathering_id, person_id, minutes_attended, source)
        SELECT md5('attendance-' || i)::uuid, {PAST_GATHERING.format(i="1 + i % " + str(PAST))},
               {PERSON.format(i="i")}, 60 + i % 30, 'import'
        FROM generate_series(1, {PEOPLE}) i""",
]

CREDITS_SEED = [
    f"""INSERT INTO people (id, name, email, language)
        SELECT {PERSON.format(i="i")}, 'Person ' || i, 'person' || i || '@example.org', 'en'
        FROM generate_series(1, {PEOPLE}) i""",
    f"""INSERT INTO activities (id, title_en, title_fr, starts_at, length_minutes, time_zone)
        SELECT {PAST_GATHERING.format(i="i")}, 'Past gathering ' || i, 'Rencontre passée ' || i,
               now() - i * interval '2 days', 90, 'America/Halifax'
        FROM generate_series(1, {PAST}) i""",
    # Ten awards per person, in this cycle and the one before (a person behind or ahead of 40 h).
    f"""INSERT INTO ledger (id, person_id, activity_id, kind, hours, category, cycle, basis)
        SELECT md5('ledger-' || p || '-' || k)::uuid, {PERSON.format(i="p")},
               {PAST_GATHERING.format(i="1 + (p + k * 7) % " + str(PAST))}, 'award', 1 + (p % 7),
               'community_of_practice', CASE WHEN k % 2 = 0 THEN '2026-2027' ELSE '2025-2026' END,
               'bench: attendance rev 1'
        FROM generate_series(1, {PEOPLE}) p, generate_series(1, {LEDGER_PER_PERSON}) k""",
    f"""INSERT INTO certificates (id, code, entry_id, person_id, activity_id, hours, language)
        SELECT md5('certificate-' || p)::uuid, 'B' || lpad(p::text, 9, '0'),
               md5('ledger-' || p || '-1')::uuid, {PERSON.format(i="p")},
               {PAST_GATHERING.format(i="1 + (p + 7) % " + str(PAST))}, 1 + (p % 7), 'en'
        FROM generate_series(1, {PEOPLE}) p""",
    f"""INSERT INTO self_reports (id, person_id, title, category, hours, activity_date, evidence, status)
        SELECT md5('report-' || i)::uuid, {PERSON.format(i="i")}, 'Course ' || i, 'formal_learning', 3,
               current_date - 30, 'certificate of completion',
               CASE WHEN i / 20 % 10 = 0 THEN 'pending' ELSE 'approved' END
        FROM generate_series(1, {PEOPLE}, 20) i""",
]

NOTIFICATIONS_SEED = [
    f"""INSERT INTO deliveries (id, idempotency_key, source_event_id, correlation_id, template, language,
                               to_address, subject, body_text, body_html, status, person_id, category,
                               created_at, sent_at)
        SELECT md5('delivery-' || p || '-' || k)::uuid, 'bench-' || p || '-' || k, 'event-' || p,
               'corr-' || p, 'ticket_confirmation', 'en', 'person' || p || '@example.org',
               'Your ticket', 'text', '<p>html</p>', 'sent', {PERSON.format(i="p")}, 'tickets',
               now() - k * interval '1 day', now() - k * interval '1 day'
        FROM generate_series(1, {PEOPLE}) p, generate_series(1, 2) k""",
]


def service_env(service: str, bench: Bench, prefix: str, **extra: str) -> dict[str, str]:
    return {
        "HEARTH_AMQP_URL": AMQP_URL,
        "HEARTH_DATABASE_URL": bench.database.dsn(service),
        "HEARTH_NAME_PREFIX": prefix,
        "HEARTH_HTTP_PORT": str(free_port()),
        "HEARTH_LOG_LEVEL": "WARNING",
        **{f"HEARTH_{k.upper()}": v for k, v in extra.items()},
    }


async def seed(bench: Bench, service: str, statements: list[str]) -> float:
    started = time.perf_counter()
    conn = await bench.database.connect(service)
    try:
        for statement in statements:
            await conn.execute(statement)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def park(bench: Bench, prefix: str) -> None:
    """Parked messages in registration's parking queue, as the kit leaves them."""
    channel = await bench.amqp.channel()
    queue = Names(prefix, "registration").parking_queue
    for i in range(PARKED):
        body = f'{{"specversion": "1.0", "id": "parked-{i}", "data": {{"email": "hidden"}}}}'.encode()
        message = aio_pika.Message(
            body,
            message_id=f"parked-{i}",
            headers={"x-parked-reason": "unknown_attendee", "x-parked-detail": "no ticket holder"},
        )
        await channel.default_exchange.publish(message, routing_key=queue)
    await channel.close()


async def create_admin(bench: Bench, email: str, password: str) -> None:
    env = {
        **os.environ,
        "HEARTH_DATABASE_URL": bench.database.dsn("gateway"),
        "HEARTH_ADMIN_PASSWORD": password,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hearth_gateway", "create-admin", "--email", email, env=env,
        stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert await process.wait() == 0, "create-admin failed"


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no form"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> None:
    """Through the real forms: password, then setting up two-factor authentication."""
    page = await client.get("/login")
    await client.post("/login", data={"email": email, "password": password, "csrf_token": _csrf(page.text)})
    page = await client.get("/account/two-factor")
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page.text)
    assert secret, page.text[:500]
    done = await client.post(
        "/account/two-factor",
        data={"code": pyotp.TOTP(secret.group(1)).now(), "csrf_token": _csrf(page.text)},
    )
    assert done.status_code == 200, done.text[:500]


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


async def measure(client: httpx.AsyncClient, pages: dict[str, str], requests: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {name: [] for name in pages}
    for name, path in pages.items():  # warm up: connections, caches, plans
        for _ in range(3):
            answer = await client.get(path)
            assert answer.status_code == 200, f"{name}: {answer.status_code} {answer.text[:300]}"
    for _ in range(requests):
        for name, path in pages.items():
            started = time.perf_counter()
            answer = await client.get(path)
            timings[name].append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, f"{name}: {answer.status_code}"
    return timings


async def start_stack(bench: Bench, logs: Path) -> list[ServiceProcess]:
    key = secrets.token_urlsafe(40)
    prefix = bench.prefix
    made = {
        s: ServiceProcess(s, service_env(s, bench, prefix, service_token_key=key), logs / f"{s}.log")
        for s in ("registration", "credits", "notifications", "groups")
    }
    await asyncio.gather(*(p.start(timeout=120) for p in made.values()))
    urls = {f"{s}_url": p.url for s, p in made.items()}
    env = service_env("gateway", bench, prefix, service_token_key=key, cookie_secure="false", **urls)
    gateway = ServiceProcess("gateway", env, logs / "gateway.log")
    await gateway.start(timeout=120)
    return [*made.values(), gateway]


async def main(requests: int) -> None:
    async with bench_environment() as bench:
        logs = Path(tempfile.mkdtemp(prefix="bench-staff-"))
        processes = await start_stack(bench, logs)
        try:
            seconds = {
                "registration": await seed(bench, "registration", REGISTRATION_SEED),
                "credits": await seed(bench, "credits", CREDITS_SEED),
                "notifications": await seed(bench, "notifications", NOTIFICATIONS_SEED),
            }
            print("seeded in " + ", ".join(f"{s} {t:.0f} s" for s, t in seconds.items()))
            await park(bench, bench.prefix)
            email, password = "bench.admin@example.org", secrets.token_urlsafe(18)
            await create_admin(bench, email, password)
            conn = await bench.database.connect("registration")
            big = await conn.fetchval(f"SELECT {BIG}")
            person = await conn.fetchval(f"SELECT {PERSON.format(i=4242)}")
            await conn.close()
            pages = {
                "dashboard": "/",
                "registrants": f"/gatherings/{big}/registrants?page=3",
                "person": f"/people/{person}",
                "parked": "/parked",
            }
            gateway = processes[-1]
            async with httpx.AsyncClient(base_url=gateway.url, timeout=60) as client:
                await sign_in(client, email, password)
                timings = await measure(client, pages, requests)
        finally:
            for process in processes:
                await process.stop()
            for service, handler_names in handlers_under_test().items():
                await remove_topology(bench.amqp, Names(bench.prefix, service), handler_names, [])
        figures = {name: {"p50_ms": statistics.median(t), "p95_ms": p95(t)} for name, t in timings.items()}
        summarise(
            "staff_pages", timings, {"requests_per_page": requests, "figures": figures, "seed_s": seconds}
        )
        for name, f in figures.items():
            verdict = "ok" if f["p95_ms"] <= TARGET_MS else "MISSED"
            print(
                f"{name:12} p50 {f['p50_ms']:7.1f} ms   p95 {f['p95_ms']:7.1f} ms"
                f"   ({verdict}, target {TARGET_MS:.0f})"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=60)
    asyncio.run(main(parser.parse_args().requests))
