"""Two replicas of each consumer service share a backlog as competing consumers on the real
broker: 10,000 events, each applied exactly once between them, both taking a share.

Each case is one service's busiest consumer, run as two `python -m hearth_<service>` processes on one
database: registration's `on_member_upserted` (10,000 people), credits' `on_attendance_recorded`
(10,000 awards in the ledger of one gathering whose policy is published first) and notifications'
`on_ticket` (10,000 confirmation emails in the delivery log; its SMTP server is unreachable, so the
sender pauses and the log is the whole effect), and groups' `on_ticket_purchased` (10,000 ticket
holders' keys). The run has a broker prefix of its own, so its queue
holds only these events and the replicas' counters count only them: the two
`hearth_messages_handled_total` add up to exactly 10,000 with no duplicate, the inbox holds one row
per event, and the effect exists once per event.
"""

from __future__ import annotations

import asyncio
import importlib
import re
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aio_pika.abc import AbstractRobustConnection

from bench.common import publish_backlog
from hearth_shared.contracts import CloudEvent, EventData, new_event
from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    CreditPolicy,
    GatheringScheduled,
    MemberUpserted,
    TicketPurchased,
)
from hearth_shared.messaging import Names
from hearth_shared.messaging.topology import declare_service
from hearth_shared.settings import ServiceSettings
from hearth_testing.builders import gathering_scheduled, member_upserted, person_details, ticket_purchased
from hearth_testing.fixtures import TEST_RETRY_DELAYS, service_env
from hearth_testing.infra import Infra, TestDatabase
from hearth_testing.processes import ServiceProcess, free_port
from hearth_testing.waiting import eventually

pytestmark = pytest.mark.e2e

EVENTS = 10_000


def gathering_of(tag: str) -> GatheringScheduled:
    """The run's gathering (its id from the tag), earning 1.5 hours for 75 % of its 90 minutes."""
    policy = CreditPolicy(
        hours=Decimal("1.5"), minimum_attendance_fraction=Decimal("0.75"), category="community_of_practice"
    )
    return gathering_scheduled(gathering_id=uuid.uuid5(uuid.NAMESPACE_URL, tag), credit_policy=policy)


Backlog = list[CloudEvent[Any]]


def tagged(tag: str, source: str, data: Callable[[int], EventData]) -> list[CloudEvent[Any]]:
    """10,000 events of the run (ids `cc-<tag>-<n>`), as `source` would publish them."""
    return [new_event(data(n), source=source, event_id=f"cc-{tag}-{n}") for n in range(EVENTS)]


def members(tag: str) -> list[CloudEvent[Any]]:
    """MemberUpserted, as the register would publish them."""
    return tagged(
        tag,
        "/membership-register",
        lambda n: member_upserted(member_id=f"CC-{tag}-{n}", email=f"cc.{tag}.{n}@example.org"),
    )


def attendance(tag: str) -> list[CloudEvent[Any]]:
    """People present for the whole gathering (no details: no certificate, only awards)."""
    g = gathering_of(tag)
    return tagged(
        tag,
        "/hearth/registration",
        lambda _: AttendanceRecorded(
            attendance_id=uuid.uuid4(),
            gathering_id=g.gathering_id,
            person_id=uuid.uuid4(),
            minutes_attended=90,
            revision=1,
        ),
    )


def purchases(tag: str) -> list[CloudEvent[Any]]:
    """Tickets to the gathering, each a confirmation email to write."""
    g = gathering_of(tag)
    return tagged(tag, "/hearth/registration", lambda _: ticket_purchased(g, person_details()))


async def people_made(conn: asyncpg.Connection, tag: str, _: Backlog) -> tuple[int, int]:
    found = await conn.fetchval("SELECT count(*) FROM people WHERE member_id LIKE $1", f"CC-{tag}-%")
    return found, found


async def awards_made(conn: asyncpg.Connection, tag: str, _: Backlog) -> tuple[int, int]:
    """(entries, people awarded) in the gathering's ledger: a second award or a reversal shows."""
    row = await conn.fetchrow(
        "SELECT count(*) AS entries, count(DISTINCT person_id) FILTER (WHERE kind = 'award') AS people "
        "FROM ledger WHERE activity_id = $1",
        gathering_of(tag).gathering_id,
    )
    assert row is not None
    return row["entries"], row["people"]


async def emails_written(conn: asyncpg.Connection, _: str, events: Backlog) -> tuple[int, int]:
    row = await conn.fetchrow(
        "SELECT count(*) AS rows, count(DISTINCT source_event_id) AS events FROM deliveries "
        "WHERE source_event_id = ANY($1::text[])",
        [e.id for e in events],
    )
    assert row is not None
    return row["rows"], row["events"]


async def holders_known(conn: asyncpg.Connection, _: str, events: Backlog) -> tuple[int, int]:
    """Groups learns each ticket holder's key once (to find their wishes later)."""
    row = await conn.fetchrow(
        "SELECT count(*) AS rows, count(DISTINCT person_id) AS people FROM person_keys "
        "WHERE person_id = ANY($1::uuid[])",
        [e.data.attendee.person_id for e in events],
    )
    assert row is not None
    return row["rows"], row["people"]


@dataclass(frozen=True)
class Case:
    service: str
    handler: str
    routing_key: str
    backlog: Callable[[str], list[CloudEvent[Any]]]
    effects: Callable[[asyncpg.Connection, str, Backlog], Awaitable[tuple[int, int]]]
    before: Callable[[str], CloudEvent[Any]] | None = None  # published first, to another handler
    settings: dict[str, Any] = field(default_factory=dict)
    # Rows that would act later in the session's shared database, removed once counted (the
    # notifications case's 10,000 unsent emails would otherwise be sent by the next tests' senders).
    leftovers: str | None = None


CASES = [
    Case("registration", "on_member_upserted", MemberUpserted.routing_key(), members, people_made),
    Case(
        "credits",
        "on_attendance_recorded",
        AttendanceRecorded.routing_key(),
        attendance,
        awards_made,
        before=lambda tag: new_event(gathering_of(tag), source="/hearth/registration"),
    ),
    Case("groups", "on_ticket_purchased", TicketPurchased.routing_key(), purchases, holders_known),
    Case(
        "notifications",
        "on_ticket",
        TicketPurchased.routing_key(),
        purchases,
        emails_written,
        settings={"smtp_host": "127.0.0.1", "smtp_port": free_port()},  # nothing listens: sending pauses
        leftovers="DELETE FROM deliveries WHERE source_event_id = ANY($1::text[])",
    ),
]


@pytest.fixture(params=CASES, ids=[c.service for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
async def replicas(own_prefix: str) -> AsyncIterator[tuple[str, list[ServiceProcess]]]:
    """A service's replicas on a broker prefix of their own (started by the test), stopped after."""
    started: list[ServiceProcess] = []
    yield own_prefix, started
    for replica in started:
        await replica.stop()


async def start_replica(
    case: Case, infra: Infra, database: TestDatabase, prefix: str, started: list[ServiceProcess], log: Path
) -> ServiceProcess:
    env = service_env(case.service, infra, database, prefix, **case.settings)
    replica = ServiceProcess(case.service, env, log)
    started.append(replica)
    await replica.start()
    return replica


async def declare_topology(amqp: AbstractRobustConnection, service: str, names: Names) -> None:
    handlers = importlib.import_module(f"hearth_{service}.handlers").HANDLERS
    async with amqp.channel() as channel:
        await declare_service(
            channel,
            names,
            handlers={h.name: h.routing_keys for h in handlers},
            retry_delays=TEST_RETRY_DELAYS,
            delivery_limit=ServiceSettings().delivery_limit,
        )


async def counters(replica: ServiceProcess, handler: str) -> dict[str, float]:
    async with replica.client() as client:
        text = (await client.get("/metrics")).text
    found = {}
    for name in ("handled", "duplicate"):
        match = re.search(rf'^hearth_messages_{name}_total{{handler="{handler}"}} (\S+)$', text, re.MULTILINE)
        found[name] = float(match.group(1)) if match else 0.0
    return found


async def test_two_replicas_drain_ten_thousand_events_each_applied_once(
    case: Case,
    infra: Infra,
    database: TestDatabase,
    amqp: AbstractRobustConnection,
    replicas: tuple[str, list[ServiceProcess]],
    tmp_path: Path,
) -> None:
    prefix, started_replicas = replicas
    tag = secrets.token_hex(3)
    names = Names(prefix, case.service)
    await declare_topology(amqp, case.service, names)  # as the replicas will: the backlog waits in it
    if case.before is not None:
        cause = case.before(tag)
        await publish_backlog(amqp, names.events_exchange, type(cause.data).routing_key(), [cause])
    events = case.backlog(tag)
    await publish_backlog(amqp, names.events_exchange, case.routing_key, events)
    ids = [event.id for event in events]
    started = time.monotonic()
    first, second = await asyncio.gather(
        *(start_replica(case, infra, database, prefix, started_replicas, tmp_path / f"{n}.log") for n in "ab")
    )

    async def handled() -> float:
        return sum([(await counters(r, case.handler))["handled"] for r in (first, second)])

    await eventually(handled, lambda n: n >= EVENTS, timeout=90, interval=0.5, what="10,000 handled")
    elapsed = time.monotonic() - started
    await asyncio.sleep(1)  # anything applied twice would show by now
    shares = [await counters(r, case.handler) for r in (first, second)]

    assert sum(s["handled"] for s in shares) == EVENTS, shares
    assert [s["duplicate"] for s in shares] == [0, 0], shares
    assert all(s["handled"] > 0 for s in shares), f"one replica took everything: {shares}"
    conn = await database.connect(case.service)
    try:
        inbox = await conn.fetchval(
            "SELECT count(*) FROM inbox WHERE handler = $1 AND message_id = ANY($2::text[])",
            case.handler,
            ids,
        )
        effects = await eventually(
            lambda: case.effects(conn, tag, events), lambda found: found[0] >= EVENTS, timeout=30
        )
    finally:
        if case.leftovers is not None:
            await conn.execute(case.leftovers, ids)
        await conn.close()
    assert (inbox, effects) == (EVENTS, (EVENTS, EVENTS))
    print(f"{case.service}: {EVENTS} events drained by two replicas in {elapsed:.1f} s; shares {shares}")
