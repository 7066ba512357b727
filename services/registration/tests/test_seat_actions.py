"""The seat actions on a real Postgres, in-process (no broker): a purchase takes a seat or joins
the line, concurrent purchases never sell a seat twice, and a freed seat is offered to the next
in line within the same transaction as its events."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from hearth_registration import domain
from hearth_registration.actions import gatherings, tickets
from hearth_registration.events import SERVICE, SOURCE
from hearth_registration.store.tickets import Ticket
from hearth_shared.contracts.catalogue import GatheringStatus
from hearth_shared.db import connect_with_retry, migrate
from hearth_shared.messaging import Work, begin
from hearth_testing.infra import TestDatabase

pytestmark = pytest.mark.integration

HOLD_SECONDS = 3600.0


@pytest.fixture
async def pool(database: TestDatabase) -> AsyncIterator[asyncpg.Pool]:
    pool = await connect_with_retry(database.dsn(SERVICE), SERVICE, min_size=1, max_size=10)
    await migrate(pool, SERVICE, ["hearth_shared.migrations", "hearth_registration.store.migrations"])
    yield pool
    await pool.close()


@pytest.fixture
def correlation_id() -> str:
    return f"test-{uuid.uuid4()}"


@pytest.fixture(autouse=True)
async def no_events_left_behind(pool: asyncpg.Pool, correlation_id: str) -> AsyncIterator[None]:
    """This test's events never reach a relay started by a later test."""
    yield
    await pool.execute("DELETE FROM outbox WHERE correlation_id = $1", correlation_id)


async def schedule(pool: asyncpg.Pool, correlation_id: str, capacity: int) -> uuid.UUID:
    starts = datetime(2027, 3, 11, 16, 0, tzinfo=UTC)
    fields: dict[str, Any] = {c: None for c in ("description_en", "description_fr", "venue", "address")}
    fields |= {"series_id": None, "credit_policy": None, "join_url": "https://video.example.org/j/q"}
    fields |= {"title_en": "Quarterly", "title_fr": "Trimestrielle", "kind": "community_of_practice"}
    fields |= {"modality": "virtual", "starts_at": starts, "ends_at": starts + timedelta(minutes=90)}
    fields |= {"time_zone": "America/Halifax", "capacity": capacity}
    free = [domain.TicketType("free", 0, "CAD")]
    async with begin(pool, SERVICE, correlation_id) as work:
        gathering = await gatherings.schedule(work, fields, free, GatheringStatus.OPEN, by=None)
    return gathering.id


def asking(tag: str) -> domain.TicketRequest:
    nobody = domain.Attestation(None, None, None, attests_regulated_profession=False)
    return domain.TicketRequest(
        f"{tag}-{uuid.uuid4().hex[:8]}@example.org", tag, "en", domain.TicketKind.FREE, nobody
    )


async def buy(pool: asyncpg.Pool, correlation_id: str, gathering_id: uuid.UUID, tag: str) -> tickets.Purchase:
    return await tickets.purchase(
        pool, gathering_id, asking(tag), key=None, hold_minutes=60, correlation_id=correlation_id
    )


async def events_of(pool: asyncpg.Pool, correlation_id: str) -> list[str]:
    rows = await pool.fetch(
        "SELECT event_type FROM outbox WHERE correlation_id = $1 ORDER BY seq", correlation_id
    )
    return [r["event_type"].split(".")[-2] for r in rows]


async def test_a_full_gathering_puts_the_next_buyer_in_line(pool: asyncpg.Pool, correlation_id: str) -> None:
    gathering_id = await schedule(pool, correlation_id, capacity=1)
    first = await buy(pool, correlation_id, gathering_id, "first")
    second = await buy(pool, correlation_id, gathering_id, "second")
    assert (first.outcome, first.created) == ("ticket", True)
    assert (second.outcome, second.position) == ("waitlisted", 1)
    assert await events_of(pool, correlation_id) == [
        "gathering_scheduled",
        "ticket_purchased",
        "waitlist_joined",
    ]


async def test_concurrent_purchases_never_sell_a_seat_twice(pool: asyncpg.Pool, correlation_id: str) -> None:
    gathering_id = await schedule(pool, correlation_id, capacity=3)
    outcomes = await asyncio.gather(*(buy(pool, correlation_id, gathering_id, f"p{i}") for i in range(8)))
    assert sorted(p.outcome for p in outcomes) == ["ticket"] * 3 + ["waitlisted"] * 5
    assert sorted(p.position for p in outcomes if p.position) == [1, 2, 3, 4, 5]
    seats_taken = await pool.fetchval("SELECT seats_taken FROM gatherings WHERE id = $1", gathering_id)
    assert seats_taken == 3


async def test_a_cancelled_seat_is_offered_to_the_next_in_line(
    pool: asyncpg.Pool, correlation_id: str
) -> None:
    gathering_id = await schedule(pool, correlation_id, capacity=1)
    holder = await buy(pool, correlation_id, gathering_id, "holder")
    waiting = await buy(pool, correlation_id, gathering_id, "waiting")
    assert isinstance(holder.row, Ticket)
    async with pool.acquire() as conn, conn.transaction():
        work = Work(conn=conn, source=SOURCE, correlation_id=correlation_id)
        await tickets.cancel(work, holder.row.id, hold_seconds=HOLD_SECONDS, by=None)
    entry = await pool.fetchrow("SELECT status, offer_expires_at FROM waitlist WHERE id = $1", waiting.row.id)
    assert entry is not None
    assert entry["status"] == "offered"
    assert entry["offer_expires_at"] > datetime.now(UTC) + timedelta(seconds=HOLD_SECONDS - 60)
    # The seat stays taken: it is held for the person offered it.
    assert await pool.fetchval("SELECT seats_taken FROM gatherings WHERE id = $1", gathering_id) == 1
    assert (await events_of(pool, correlation_id))[-2:] == ["registration_cancelled", "waitlist_offered"]
