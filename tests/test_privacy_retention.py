"""Retention in notifications, on the real broker, database and an SMTP server, with the worker's
clock injected: a sent email keeps its metadata and loses its content once past
`email_body_retention`, not before; fired plans go once past `plan_retention`, planned ones stay;
the scheduler applies it once every `retention_poll_seconds`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from aio_pika.abc import AbstractRobustConnection

from hearth_notifications.settings import NotificationsSettings
from hearth_notifications.workers.scheduler import Scheduler
from hearth_shared.contracts import new_event
from hearth_shared.db import connect_with_retry
from hearth_shared.messaging import Names
from hearth_testing.broker import publish_event
from hearth_testing.builders import gathering_scheduled, person_details, ticket_purchased
from hearth_testing.fixtures import StartService
from hearth_testing.infra import TestDatabase
from hearth_testing.smtp import SmtpSink
from hearth_testing.waiting import eventually


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
    await pool.execute(
        """INSERT INTO plans (subject_id, template, offset_seconds, fire_at, status, fired_at)
           VALUES ($1, 'reminder', 3600, $3, 'fired', $3), ($2, 'reminder', 3600, $3, 'planned', NULL)""",
        fired, planned, long_ago,
    )  # fmt: skip

    settings = NotificationsSettings(
        email_body_retention=timedelta(days=90), plan_retention=timedelta(days=30)
    )
    now = datetime.now(UTC)
    scheduler = Scheduler(pool, settings, clock=lambda: now, schema="notifications")
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
