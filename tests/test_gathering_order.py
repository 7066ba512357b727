"""Gathering events in order, on the real broker and database: registration counts each gathering's
revisions; credits and notifications apply only what is newer than what they hold; a cancellation
is a tombstone (no late update revives it or plans its reminders, a ticket processed after it gets
the cancellation email); a cancelled gathering's waitlist closes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection

from hearth_notifications.settings import NotificationsSettings
from hearth_notifications.workers.scheduler import Scheduler
from hearth_shared.contracts import CloudEvent, new_event
from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    Bilingual,
    CreditPolicy,
    EventData,
    GatheringCancelled,
    GatheringScheduled,
    GatheringUpdated,
    PersonDetails,
)
from hearth_shared.db import connect_with_retry
from hearth_shared.messaging import Names
from hearth_testing.broker import checked, collect, publish_event, watch
from hearth_testing.builders import gathering_scheduled, person, person_details, ticket_purchased
from hearth_testing.fixtures import StartService
from hearth_testing.infra import TestDatabase
from hearth_testing.smtp import SmtpSink
from hearth_testing.waiting import eventually

from .helpers import schedule_gathering

Publish = Callable[[EventData], Any]
STARTS = datetime(2027, 5, 6, 16, 0, tzinfo=UTC)


@pytest.fixture
def publish(amqp: AbstractRobustConnection, name_prefix: str) -> Publish:
    async def publish(data: EventData) -> CloudEvent[Any]:
        event = new_event(data, source="/hearth/registration")
        await publish_event(amqp, Names(name_prefix, "registration"), event)
        return event

    return publish


@pytest.fixture
async def notifications_db(database: TestDatabase) -> AsyncIterator[asyncpg.Pool]:
    found = await connect_with_retry(database.dsn("notifications"), "notifications", max_size=3)
    yield found
    await found.close()


def policy(hours: str) -> CreditPolicy:
    return CreditPolicy(
        hours=Decimal(hours), minimum_attendance_fraction=Decimal("0.75"), category="community_of_practice"
    )


def revised(g: GatheringScheduled, revision: int, **changes: Any) -> GatheringUpdated:
    return GatheringUpdated(**(g.model_dump() | changes | {"revision": revision}))


def moved(g: GatheringScheduled, revision: int, days: int) -> GatheringUpdated:
    starts = g.starts_at + timedelta(days=days)
    return revised(g, revision, starts_at=starts, ends_at=starts + timedelta(minutes=90))


async def handled_after(publish: Publish, seen: Callable[[uuid.UUID], Any]) -> None:
    """Wait until a new gathering, published now on the same queue, is applied: whatever was
    published before it has been handled."""
    sentinel = gathering_scheduled(STARTS, revision=1)
    await publish(sentinel)
    await eventually(lambda: seen(sentinel.gathering_id), timeout=20, what="the sentinel gathering")


async def test_credits_ignores_a_stale_gathering_update(
    start_service: StartService, publish: Publish, database: TestDatabase
) -> None:
    credits = await start_service("credits")
    g = gathering_scheduled(STARTS, credit_policy=policy("1.5"), revision=1)
    who = person_details()
    await publish(g)
    await publish(
        AttendanceRecorded(
            attendance_id=uuid.uuid4(),
            gathering_id=g.gathering_id,
            person_id=who.person_id,
            minutes_attended=90,
            revision=1,
            attendee=who,
        )
    )
    async with credits.client() as client:
        url = f"/people/{who.person_id}/ledger"

        async def ledger(count: int) -> list[tuple[str, str]]:
            found = await eventually(lambda: client.get(url), lambda r: len(r.json()) >= count)
            return [(e["kind"], e["hours"]) for e in found.json()]

        assert await ledger(1) == [("award", "1.50")]
        newer = revised(g, 3, title=Bilingual(en="Newer", fr="Plus récent"), credit_policy=policy("1.25"))
        await publish(newer)
        await publish(
            revised(g, 2, title=Bilingual(en="Older", fr="Plus ancien"), credit_policy=policy("0.5"))
        )
        conn = await database.connect("credits")
        try:

            async def activity(gathering_id: uuid.UUID) -> Any:
                return await conn.fetchrow("SELECT * FROM activities WHERE id = $1", gathering_id)

            await handled_after(publish, activity)
            stands = await activity(g.gathering_id)
        finally:
            await conn.close()
        assert (stands["title_en"], stands["revision"]) == ("Newer", 3)
        # The newer policy's 1.25 hours replaced the 1.5 (reversal and award); the older 0.5 never applied.
        assert await ledger(3) == [("award", "1.50"), ("reversal", "-1.50"), ("award", "1.25")]
        await asyncio.sleep(0.5)
        assert await ledger(3) == [("award", "1.50"), ("reversal", "-1.50"), ("award", "1.25")]


async def gathering_row(pool: asyncpg.Pool, gathering_id: uuid.UUID) -> Any:
    return await pool.fetchrow("SELECT * FROM gatherings WHERE gathering_id = $1", gathering_id)


async def reminder_plans(pool: asyncpg.Pool, gathering_id: uuid.UUID) -> list[tuple[datetime, str]]:
    rows = await pool.fetch(
        "SELECT fire_at, status FROM plans WHERE subject_id = $1 AND template = 'reminder' ORDER BY fire_at",
        gathering_id,
    )
    return [(r["fire_at"], r["status"]) for r in rows]


async def a_ticket_holder(publish: Publish) -> tuple[GatheringScheduled, PersonDetails]:
    """A new gathering (revision 1) and someone holding a ticket to it."""
    g, who = gathering_scheduled(STARTS, revision=1), person_details()
    await publish(g)
    await publish(ticket_purchased(g, who))
    return g, who


async def test_notifications_ignores_a_stale_gathering_update(
    start_service: StartService, smtp_sink: SmtpSink, publish: Publish, notifications_db: asyncpg.Pool
) -> None:
    await start_service("notifications", smtp_port=smtp_sink.port)
    g, who = await a_ticket_holder(publish)
    await smtp_sink.wait_for(str(who.email))
    await publish(moved(g, 3, days=7))
    await publish(moved(g, 2, days=1))
    await handled_after(publish, lambda gid: gathering_row(notifications_db, gid))

    newer = STARTS + timedelta(days=7)
    plans = await reminder_plans(notifications_db, g.gathering_id)
    assert plans
    assert all(newer - timedelta(days=3) < at < newer for at, _ in plans), plans
    assert (await gathering_row(notifications_db, g.gathering_id))["revision"] == 3
    await asyncio.sleep(1.0)  # the mail sender's turn
    changes = [m for m in smtp_sink.to(str(who.email)) if m["Subject"].startswith("Changed")]
    assert len(changes) == 1, [m["Subject"] for m in smtp_sink.to(str(who.email))]


async def test_a_cancelled_gathering_is_not_revived_by_a_late_update_and_sends_no_reminders(
    start_service: StartService, smtp_sink: SmtpSink, publish: Publish, notifications_db: asyncpg.Pool
) -> None:
    notifications = await start_service("notifications", smtp_port=smtp_sink.port)
    g, who = await a_ticket_holder(publish)
    # Confirmed first: the ticket's news travels on another queue than the gathering's, and a
    # ticket handled after the cancellation gets the cancellation alone (the test below).
    await smtp_sink.wait_for(str(who.email), timeout=60)
    await publish(GatheringCancelled(gathering_id=g.gathering_id, reason="Facilitator ill", revision=3))
    await smtp_sink.wait_for(str(who.email), 2, timeout=60)  # the confirmation, the cancellation
    # A retried, older update (revision 2) arrives after the cancellation.
    await publish(moved(g, 2, days=7))
    await handled_after(publish, lambda gid: gathering_row(notifications_db, gid))

    assert (await gathering_row(notifications_db, g.gathering_id))["status"] == "cancelled"
    plans = await reminder_plans(notifications_db, g.gathering_id)
    assert plans
    assert {status for _, status in plans} == {"dropped"}, plans
    scheduler = Scheduler(notifications_db, NotificationsSettings(), clock=lambda: STARTS)
    for at in (STARTS - timedelta(days=1), STARTS, STARTS + timedelta(days=7)):
        await scheduler.fire_due(at)
    async with notifications.client() as client:
        response = await client.get("/deliveries", params={"person_id": str(who.person_id)})
    assert sorted(d["template"] for d in response.json()) == ["gathering_cancelled", "ticket_confirmation"]


async def test_a_ticket_processed_after_its_gatherings_cancellation_gets_the_cancellation_email(
    start_service: StartService, smtp_sink: SmtpSink, publish: Publish, notifications_db: asyncpg.Pool
) -> None:
    await start_service("notifications", smtp_port=smtp_sink.port)
    g, who = gathering_scheduled(STARTS, revision=1), person_details()
    await publish(g)
    await publish(GatheringCancelled(gathering_id=g.gathering_id, reason="Room flooded", revision=2))
    await eventually(
        lambda: gathering_row(notifications_db, g.gathering_id),
        lambda row: row is not None and row["status"] == "cancelled",
    )
    # The ticket was bought just before the cancellation; its news comes on the other queue, later.
    ticket = ticket_purchased(g, who)
    await publish(ticket)
    [email] = await smtp_sink.wait_for(str(who.email))
    assert email["Subject"].startswith("Cancelled"), email["Subject"]
    assert "Why: Room flooded" in email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    active = await notifications_db.fetchval(
        "SELECT active FROM tickets WHERE ticket_id = $1", ticket.ticket_id
    )
    assert active is False


async def test_registration_counts_revisions_and_closes_the_waitlist_of_a_cancelled_gathering(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    registration = await start_service("registration", waitlist_hold_seconds=60)
    watcher = await watch(
        amqp, Names(name_prefix, "registration"), GatheringScheduled, GatheringUpdated, GatheringCancelled
    )
    gathering_id = await schedule_gathering(registration, capacity=1)
    async with registration.client() as client:
        seated, first, second = [await _buy(client, gathering_id) for _ in range(3)]
        await _post(client, f"/tickets/{seated['ticket']['id']}/cancel")
        assert await _statuses(client, gathering_id) == ["offered", "waiting"]
        await _post(client, f"/gatherings/{gathering_id}", method="PATCH", json={"capacity": 1})
        await _post(client, f"/gatherings/{gathering_id}/status", json={"status": "cancelled"})

        # The line is closed: the offer ends and is not handed on, nobody waits any more.
        assert await _statuses(client, gathering_id) == ["closed", "closed"]
        refused = await client.post(f"/waitlist/{first['waitlist_entry']['id']}/accept")
        assert refused.status_code == 409, refused.text
        assert refused.json()["errors"][0]["code"] == "gathering_cancelled"
        declined = await client.post(f"/waitlist/{second['waitlist_entry']['id']}/withdraw")
        assert declined.status_code == 409, declined.text
        assert await _statuses(client, gathering_id) == ["closed", "closed"]

    told = checked(await collect(watcher, 3))
    assert [(kind, data.revision) for kind, data in told] == [
        ("gathering_scheduled", 1),
        ("gathering_updated", 2),
        ("gathering_cancelled", 3),
    ]


async def test_the_waitlist_of_a_gathering_that_has_begun_closes_and_its_offer_is_released(
    start_service: StartService, database: TestDatabase
) -> None:
    registration = await start_service(
        "registration", waitlist_hold_seconds=60, offer_expiry_poll_seconds=0.2
    )
    gathering_id = await schedule_gathering(registration, capacity=1)
    async with registration.client() as client:
        seated, offered, _ = [await _buy(client, gathering_id) for _ in range(3)]
        await _post(client, f"/tickets/{seated['ticket']['id']}/cancel")
        assert await _statuses(client, gathering_id) == ["offered", "waiting"]
        conn = await database.connect("registration")
        try:  # The gathering begins (an hour ago).
            await conn.execute(
                "UPDATE gatherings SET starts_at = now() - interval '1 hour', "
                "ends_at = now() + interval '1 hour' WHERE id = $1",
                uuid.UUID(gathering_id),
            )
        finally:
            await conn.close()
        await eventually(lambda: _statuses(client, gathering_id), lambda now: now == ["closed", "closed"])
        refused = await client.post(f"/waitlist/{offered['waitlist_entry']['id']}/accept")
        assert refused.status_code == 409, refused.text
        assert refused.json()["errors"][0]["code"] == "waitlist_closed"
        gathering = (await client.get(f"/gatherings/{gathering_id}")).json()
    assert gathering["seats_taken"] == 0  # the seat held for the offer was released


async def _buy(client: httpx.AsyncClient, gathering_id: str) -> dict[str, Any]:
    response = await client.post(f"/gatherings/{gathering_id}/tickets", json=person())
    assert response.status_code in (201, 202), response.text
    return dict(response.json())


async def _post(client: httpx.AsyncClient, path: str, method: str = "POST", **kwargs: Any) -> Any:
    response = await client.request(method, path, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


async def _statuses(client: httpx.AsyncClient, gathering_id: str) -> list[str]:
    return [e["status"] for e in (await client.get(f"/gatherings/{gathering_id}/waitlist")).json()]
