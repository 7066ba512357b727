"""Preferences as the public email-preferences page and the one-click unsubscribe use them, on the
service as a process and its real Postgres: the shapes of GET/PUT /people/{id}/preferences and
POST /people/{id}/unsubscribe, who may call them, the chosen language winning over the events',
and digests that are daily or weekly as each person chose."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest

from hearth_notifications.actions import digests
from hearth_notifications.events import SERVICE
from hearth_notifications.store import people
from hearth_shared.messaging import begin
from hearth_testing.fixtures import StartService

pytestmark = pytest.mark.integration


async def someone(pool: asyncpg.Pool, language: str = "en") -> uuid.UUID:
    """A person some event has named (a recipient), with no preferences yet."""
    person_id = uuid.uuid4()
    await pool.execute(
        "INSERT INTO recipients (person_id, name, email, language) VALUES ($1, 'Alex Roy', $2, $3)",
        person_id,
        f"alex.{person_id.hex[:8]}@example.org",
        language,
    )
    return person_id


async def test_the_preferences_page_reads_and_sets_categories_digest_and_language(
    start_service: StartService, pool: asyncpg.Pool
) -> None:
    # The API needs the database only: /health, not /ready (which waits for the broker too).
    service = await start_service("notifications", wait_for="/health")
    person = await someone(pool)
    url = f"/people/{person}/preferences"
    async with service.client(role="public") as client:
        assert (await client.get(url)).json() == {"opted_out": [], "digest": "none", "language": None}
        chosen = {"opted_out": ["news", "feedback"], "digest": "weekly", "language": "fr"}
        put = await client.put(url, json=chosen)
        assert put.status_code == 200, put.text
        expected = {"opted_out": ["feedback", "news"], "digest": "weekly", "language": "fr"}
        assert put.json() == expected
        assert (await client.get(url)).json() == expected
        for bad in (
            {"opted_out": ["tickets"]},  # critical: not a choice
            {"opted_out": ["everything"]},
            {"digest": "hourly"},
            {"language": "de"},
            {"group_digest": True},  # the old shape
        ):
            assert (await client.put(url, json=bad)).status_code == 422, bad
        assert (await client.put(f"/people/{uuid.uuid4()}/preferences", json={})).status_code == 404

        # The one-click unsubscribe adds one category and keeps every other choice.
        for _ in range(2):
            answer = await client.post(f"/people/{person}/unsubscribe", json={"category": "reminders"})
            assert answer.status_code == 200, answer.text
            assert answer.json() == expected | {"opted_out": ["feedback", "news", "reminders"]}
        assert (
            await client.post(f"/people/{person}/unsubscribe", json={"category": "offers"})
        ).status_code == 422
        unknown = await client.post(f"/people/{uuid.uuid4()}/unsubscribe", json={"category": "news"})
        assert unknown.status_code == 404

    async with service.client(role="viewer") as client:  # staff may look, not change
        assert (await client.get(url)).status_code == 200
        assert (await client.put(url, json={})).status_code == 403
        assert (
            await client.post(f"/people/{person}/unsubscribe", json={"category": "news"})
        ).status_code == 403
    async with service.client(role="check_in") as client:
        assert (await client.get(url)).status_code == 403

    # Emails are written in the language the person chose, whatever later events say.
    async with pool.acquire() as conn:
        assert (await people.find(conn, [person]))[person].language == "fr"


async def test_digests_go_daily_or_weekly_as_each_person_chose(
    pool: asyncpg.Pool, correlation_id: str
) -> None:
    daily, weekly = await someone(pool), await someone(pool)
    await pool.execute(
        "INSERT INTO preferences (person_id, digest) VALUES ($1, 'daily'), ($2, 'weekly')", daily, weekly
    )
    for person in (daily, weekly):
        await pool.execute(
            """INSERT INTO deliveries (id, idempotency_key, source_event_id, correlation_id, person_id,
                   template, category, language, to_address, subject, body_text, body_html, status)
               VALUES (gen_random_uuid(), $1, $1, $2, $3, 'group_formed', 'groups', 'en',
                       'alex@example.org', 'A new group', '', '', 'held')""",
            f"{correlation_id}:{person}",
            correlation_id,
            person,
        )

    async def digested(day: date, *, weekly_due: bool) -> dict[uuid.UUID, str]:
        async with begin(pool, SERVICE, correlation_id) as work:
            await digests.send_digests(work, day, weekly_due=weekly_due)
        rows = await pool.fetch(
            "SELECT person_id, status FROM deliveries WHERE correlation_id = $1", correlation_id
        )
        return {r["person_id"]: r["status"] for r in rows}

    assert await digested(date(2027, 10, 5), weekly_due=False) == {daily: "digested", weekly: "held"}
    assert await digested(date(2027, 10, 11), weekly_due=True) == {daily: "digested", weekly: "digested"}
    made = await pool.fetch(
        "SELECT person_id FROM deliveries WHERE template = 'group_digest' AND person_id = ANY($1::uuid[])",
        [daily, weekly],
    )
    assert sorted(r["person_id"] for r in made) == sorted([daily, weekly])
    await pool.execute(
        "DELETE FROM deliveries WHERE person_id = ANY($1::uuid[]) OR correlation_id = $2",
        [daily, weekly],
        correlation_id,
    )
