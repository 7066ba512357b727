"""Retention, on the real broker, database (and an SMTP server), with the workers' clocks
injected. Notifications: a sent email keeps its metadata and loses its content once past
`email_body_retention`, not before; fired plans go once past `plan_retention`, planned ones stay;
the scheduler applies it once every `retention_poll_seconds`. The kit, in every service: published
outbox rows go after `outbox_retention` (unpublished ones never; a published erasure request at
once), inbox rows after `inbox_retention`; registration's attendance imports lose their unusable
rows after `import_report_retention`, keeping their counts; every service's runtime runs it."""

from __future__ import annotations

import importlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from aio_pika.abc import AbstractRobustConnection

from hearth_gateway.settings import GatewaySettings
from hearth_gateway.store.retention import forget_audit_entries
from hearth_notifications.settings import NotificationsSettings
from hearth_notifications.workers.scheduler import Scheduler
from hearth_registration.settings import RegistrationSettings
from hearth_registration.store.retention import forget_import_rows
from hearth_shared import provision
from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import PersonErasureRequested, TicketPurchased
from hearth_shared.db import connect_with_retry, migrate
from hearth_shared.messaging import Names, ServiceRuntime, retention
from hearth_shared.messaging.retention import KitRetention, RetentionWorker
from hearth_testing.broker import publish_event
from hearth_testing.builders import gathering_scheduled, person_details, ticket_purchased
from hearth_testing.fixtures import TEST_RETRY_DELAYS, StartService
from hearth_testing.infra import Infra, TestDatabase
from hearth_testing.processes import TEST_SENDER, ServiceProcess
from hearth_testing.smtp import SmtpSink
from hearth_testing.waiting import eventually

from .helpers import schedule_gathering


@pytest.fixture
async def pool(database: TestDatabase) -> AsyncIterator[asyncpg.Pool]:
    found = await connect_with_retry(database.dsn("notifications"), "notifications", max_size=3)
    yield found
    await found.close()


async def test_finished_emails_lose_their_content_and_finished_plans_go_after_their_time(
    start_service: StartService,
    amqp: AbstractRobustConnection,
    name_prefix: str,
    smtp_sink: SmtpSink,
    pool: asyncpg.Pool,
) -> None:
    notifications = await start_service("notifications", smtp_port=smtp_sink.port)
    names = Names(name_prefix, "registration")
    g, who = gathering_scheduled(capacity=10), person_details()
    await publish_event(amqp, names, new_event(ticket_purchased(g, who), source="/hearth/registration"))
    await smtp_sink.wait_for(str(who.email))
    url, params = "/deliveries", {"person_id": str(who.person_id)}
    async with notifications.client() as client:
        [sent] = (
            await eventually(lambda: client.get(url, params=params), lambda r: r.json()[0]["sent_at"])
        ).json()
    fired, planned = uuid.uuid4(), uuid.uuid4()
    long_ago = datetime.now(UTC) - timedelta(days=40)
    # The planned one is due next year: one due already would be fired by the running service.
    next_year = datetime.now(UTC) + timedelta(days=365)
    await pool.execute(
        """INSERT INTO plans (subject_id, template, offset_seconds, fire_at, status, fired_at)
           VALUES ($1, 'reminder', 3600, $3, 'fired', $3), ($2, 'reminder', 3600, $4, 'planned', NULL)""",
        fired, planned, long_ago, next_year,
    )  # fmt: skip

    settings = NotificationsSettings(
        email_body_retention=timedelta(days=90), plan_retention=timedelta(days=30)
    )
    now = datetime.now(UTC)
    scheduler = Scheduler(pool, settings, clock=lambda: now)
    # The fired plan (40 days ago) goes; the email (89 days) keeps its content.
    assert await scheduler.apply_retention(now + timedelta(days=89)) >= 1
    kept = await pool.fetchrow(
        "SELECT subject, body_text FROM deliveries WHERE id = $1", uuid.UUID(sent["id"])
    )
    assert kept is not None
    assert kept["subject"] != ""
    assert who.name in kept["body_text"]

    assert await scheduler.apply_retention(now + timedelta(days=89, seconds=1)) == 0  # not due again yet
    while await scheduler.apply_retention(now + timedelta(days=91)):  # (other tests' emails too)
        pass
    row = await pool.fetchrow("SELECT * FROM deliveries WHERE id = $1", uuid.UUID(sent["id"]))
    assert row is not None
    assert (row["subject"], row["body_text"], row["body_html"], row["calendar"]) == ("", "", "", None)
    assert (row["status"], row["template"], row["to_address"]) == (
        "sent",
        "ticket_confirmation",
        str(who.email),
    )
    plans = await pool.fetch(
        "SELECT subject_id FROM plans WHERE subject_id = ANY($1::uuid[])", [fired, planned]
    )
    assert [r["subject_id"] for r in plans] == [planned]


@pytest.fixture
async def registration_pool(database: TestDatabase) -> AsyncIterator[asyncpg.Pool]:
    found = await connect_with_retry(database.dsn("registration"), "registration", max_size=3)
    await migrate(found, "registration", ["hearth_shared.migrations", "hearth_registration.store.migrations"])
    yield found
    await found.close()


async def _outbox_row(pool: asyncpg.Pool, event_type: str, published_at: datetime | None) -> str:
    event_id = str(uuid.uuid4())
    await pool.execute(
        """INSERT INTO outbox
               (event_id, event_type, routing_key, correlation_id, body, created_at, published_at)
           VALUES ($1, $2, 'retention.test', 'c', '{}', coalesce($3, now()), $3)""",
        event_id, event_type, published_at,
    )  # fmt: skip
    return event_id


async def test_the_kit_keeps_outbox_inbox_and_import_rows_only_for_their_time(
    registration: ServiceProcess, registration_pool: asyncpg.Pool
) -> None:
    pool, now = registration_pool, datetime.now(UTC)
    kept_days = {"outbox": 7, "inbox": 30, "imports": 90}
    old = {k: now - timedelta(days=d, minutes=1) for k, d in kept_days.items()}
    new = {k: now - timedelta(days=d) + timedelta(minutes=1) for k, d in kept_days.items()}
    ticket = TicketPurchased.event_type
    gone = [await _outbox_row(pool, ticket, old["outbox"])]
    stays = [await _outbox_row(pool, ticket, new["outbox"]), await _outbox_row(pool, ticket, None)]
    await pool.execute("UPDATE outbox SET created_at = $2 WHERE event_id = $1", stays[1], old["outbox"])
    gone.append(await _outbox_row(pool, PersonErasureRequested.event_type, now))  # published: gone at once
    handler, old_id, new_id = f"retention-{uuid.uuid4()}", str(uuid.uuid4()), str(uuid.uuid4())
    await pool.execute(
        """INSERT INTO inbox (source, message_id, handler, handled_at)
           VALUES ('/t', $1, $3, $4), ('/t', $2, $3, $5)""",
        old_id, new_id, handler, old["inbox"], new["inbox"],
    )  # fmt: skip
    gid = uuid.UUID(await schedule_gathering(registration))
    row = json.dumps([{"line": 2, "email": "sam.roy@example.org", "reason": "holds no ticket"}])
    imports = [uuid.uuid4(), uuid.uuid4()]
    await pool.execute(
        """INSERT INTO attendance_imports
               (id, gathering_id, filename, rows_read, people_recorded, errors, imported_at)
           VALUES ($1, $3, 'zoom.csv', 3, 2, $4::jsonb, $5), ($2, $3, 'zoom.csv', 3, 2, $4::jsonb, $6)""",
        *imports, gid, row, old["imports"], new["imports"],
    )  # fmt: skip

    settings = RegistrationSettings()  # the documented defaults
    assert (settings.outbox_retention, settings.inbox_retention, settings.import_report_retention) == tuple(
        timedelta(days=d) for d in kept_days.values()
    )
    worker = RetentionWorker(
        pool,
        KitRetention(outbox=settings.outbox_retention, inbox=settings.inbox_retention),
        poll_seconds=settings.retention_poll_seconds,
        sweeps=[
            lambda conn, at, limit: forget_import_rows(conn, at - settings.import_report_retention, limit)
        ],
        clock=lambda: now,
    )
    while await worker.apply(now) >= retention.BATCH:  # (other tests' rows too)
        pass
    left = await pool.fetch("SELECT event_id FROM outbox WHERE event_id = ANY($1::text[])", gone + stays)
    assert sorted(r["event_id"] for r in left) == sorted(stays)
    handled = await pool.fetch("SELECT message_id FROM inbox WHERE handler = $1", handler)
    assert [r["message_id"] for r in handled] == [new_id]
    kept = await pool.fetch(
        "SELECT id, errors, rows_read FROM attendance_imports WHERE id = ANY($1::uuid[])", imports
    )
    assert {r["id"]: (json.loads(r["errors"]), r["rows_read"]) for r in kept} == {
        imports[0]: ([], 3),
        imports[1]: (json.loads(row), 3),
    }
    assert await worker.apply(now + timedelta(seconds=1)) == 0  # not due again before its poll


async def test_the_gateway_keeps_audit_entries_for_their_time(database: TestDatabase) -> None:
    pool = await connect_with_retry(database.dsn("gateway"), "gateway", max_size=2)
    try:
        await migrate(pool, "gateway", ["hearth_shared.migrations", "hearth_gateway.store.migrations"])
        settings, now = GatewaySettings(), datetime.now(UTC)
        assert settings.audit_retention == timedelta(days=730)  # the documented default
        action = f"retention-{uuid.uuid4()}"
        ages = {"gone": timedelta(days=730, minutes=1), "kept": timedelta(days=730) - timedelta(minutes=1)}
        for target, age in ages.items():
            await pool.execute(
                "INSERT INTO audit_log (action, target, at) VALUES ($1, $2, $3)", action, target, now - age
            )
        worker = RetentionWorker(
            pool,
            KitRetention(outbox=settings.outbox_retention, inbox=settings.inbox_retention),
            poll_seconds=settings.retention_poll_seconds,
            sweeps=[lambda conn, at, limit: forget_audit_entries(conn, at - settings.audit_retention, limit)],
            clock=lambda: now,
        )
        while await worker.apply(now) >= retention.BATCH:  # (other tests' rows too)
            pass
        left = await pool.fetch("SELECT target FROM audit_log WHERE action = $1", action)
    finally:
        await pool.close()
    assert [r["target"] for r in left] == ["kept"]


@pytest.fixture
async def registration(start_service: StartService) -> ServiceProcess:
    return await start_service("registration")


async def test_every_service_runs_the_kits_retention(
    infra: Infra, database: TestDatabase, own_prefix: str
) -> None:
    """Each service's own runtime (its `app.create_runtime`, in this process: cheaper than five
    processes) starts the worker with the service's settings: a row published before
    `outbox_retention` goes from that service's outbox, by the one retention worker it runs (and
    the gateway's audit entries past `audit_retention`: its own rule is wired too)."""
    for service in provision.SERVICES:
        app = importlib.import_module(f"hearth_{service}.app")
        own = {
            "notifications": {"mail_from": TEST_SENDER},
            "gateway": {"audit_retention": timedelta(seconds=1)},
        }
        settings_type = getattr(
            importlib.import_module(f"hearth_{service}.settings"), f"{service.title()}Settings"
        )
        settings = settings_type(
            amqp_url=infra.amqp_url, database_url=database.dsn(service), name_prefix=own_prefix,
            db_pool_size=2, outbox_retention=timedelta(seconds=1), retention_poll_seconds=0.2,
            retry_delays=TEST_RETRY_DELAYS, **own.get(service, {}),
        )  # fmt: skip
        runtime: ServiceRuntime = app.create_runtime(settings)
        await runtime.start()
        try:
            await _forgets_a_published_row(runtime)
        finally:
            await runtime.stop()


async def _forgets_a_published_row(runtime: ServiceRuntime) -> None:
    pool = runtime.pool
    assert pool is not None
    event_id = await _outbox_row(pool, TicketPurchased.event_type, datetime.now(UTC))
    await eventually(
        lambda: pool.fetchval("SELECT count(*) FROM outbox WHERE event_id = $1", event_id),
        lambda n: n == 0,
        timeout=15,
        what=f"{runtime.service}'s retention",
    )
    if runtime.service == "gateway":
        entry = await pool.fetchval("INSERT INTO audit_log (action) VALUES ('retention_test') RETURNING id")
        await eventually(
            lambda: pool.fetchval("SELECT count(*) FROM audit_log WHERE id = $1", entry),
            lambda n: n == 0,
            timeout=15,
            what="the gateway's audit retention",
        )
    assert len([w for w in runtime.workers if isinstance(w, RetentionWorker)]) == 1
