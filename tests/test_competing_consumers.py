"""Two replicas of one service share a backlog as competing consumers on the real broker: 10,000
events, each applied exactly once between them, both taking a share.

Registration's `on_member_upserted` is the consumer (two `python -m hearth_registration`
processes on one database). The run has a broker prefix of its own, so its queue holds only these
events and the replicas' counters count only them: the two `hearth_messages_handled_total` add up
to exactly 10,000 with no duplicate, the inbox holds one row per event, and 10,000 people exist.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aio_pika.abc import AbstractRobustConnection

from bench.common import publish_backlog
from hearth_shared.contracts import CloudEvent, new_event
from hearth_shared.contracts.catalogue import MemberUpserted
from hearth_shared.messaging import Names
from hearth_shared.messaging.topology import declared_names, delete_names
from hearth_testing.builders import member_upserted
from hearth_testing.fixtures import TEST_RETRY_DELAYS, handlers_under_test, service_env
from hearth_testing.infra import Infra, TestDatabase
from hearth_testing.processes import ServiceProcess
from hearth_testing.waiting import eventually

pytestmark = pytest.mark.e2e

EVENTS = 10_000
HANDLER = "on_member_upserted"


@pytest.fixture
async def replicas(
    infra: Infra, database: TestDatabase, name_prefix: str, amqp: AbstractRobustConnection, tmp_path: Path
) -> AsyncIterator[tuple[str, list[ServiceProcess]]]:
    """Registration replicas on a broker prefix of their own (started by the test), then removed."""
    prefix = f"{name_prefix}cc{secrets.token_hex(2)}."
    started: list[ServiceProcess] = []
    yield prefix, started
    for replica in started:
        await replica.stop()
    queues, exchanges = declared_names(
        Names(prefix, "registration"), handlers_under_test()["registration"], TEST_RETRY_DELAYS
    )
    await delete_names(amqp, queues, exchanges)


async def start_replica(
    infra: Infra, database: TestDatabase, prefix: str, started: list[ServiceProcess], log: Path
) -> ServiceProcess:
    replica = ServiceProcess("registration", service_env("registration", infra, database, prefix), log)
    started.append(replica)
    await replica.start()
    return replica


def backlog(tag: str) -> list[CloudEvent[Any]]:
    """10,000 MemberUpserted, as the register would publish them."""
    return [
        new_event(
            member_upserted(member_id=f"CC-{tag}-{n}", email=f"cc.{tag}.{n}@example.org"),
            source="/membership-register",
            event_id=f"cc-{tag}-{n}",
        )
        for n in range(EVENTS)
    ]


async def counters(replica: ServiceProcess) -> dict[str, float]:
    async with replica.client() as client:
        text = (await client.get("/metrics")).text
    found = {}
    for name in ("handled", "duplicate"):
        match = re.search(rf'^hearth_messages_{name}_total{{handler="{HANDLER}"}} (\S+)$', text, re.MULTILINE)
        found[name] = float(match.group(1)) if match else 0.0
    return found


async def test_two_replicas_drain_ten_thousand_events_each_applied_once(
    infra: Infra,
    database: TestDatabase,
    amqp: AbstractRobustConnection,
    replicas: tuple[str, list[ServiceProcess]],
    tmp_path: Path,
) -> None:
    prefix, started_replicas = replicas
    tag = secrets.token_hex(3)
    started = time.monotonic()
    first = await start_replica(infra, database, prefix, started_replicas, tmp_path / "first.log")
    events = backlog(tag)
    exchange = Names(prefix, "registration").events_exchange  # the first replica declared it
    await publish_backlog(amqp, exchange, MemberUpserted.routing_key(), events)
    ids = [event.id for event in events]
    second = await start_replica(infra, database, prefix, started_replicas, tmp_path / "second.log")

    async def handled() -> float:
        return sum([(await counters(r))["handled"] for r in (first, second)])

    await eventually(handled, lambda n: n >= EVENTS, timeout=90, interval=0.5, what="10,000 handled")
    elapsed = time.monotonic() - started
    await asyncio.sleep(1)  # anything applied twice would show by now
    shares = [await counters(r) for r in (first, second)]

    assert sum(s["handled"] for s in shares) == EVENTS, shares
    assert [s["duplicate"] for s in shares] == [0, 0], shares
    assert all(s["handled"] > 0 for s in shares), f"one replica took everything: {shares}"
    conn = await database.connect("registration")
    try:
        inbox = await conn.fetchval(
            "SELECT count(*) FROM inbox WHERE handler = $1 AND message_id = ANY($2::text[])", HANDLER, ids
        )
        people = await conn.fetchval("SELECT count(*) FROM people WHERE member_id LIKE $1", f"CC-{tag}-%")
    finally:
        await conn.close()
    assert (inbox, people) == (EVENTS, EVENTS)
    assert elapsed < 90, f"took {elapsed:.0f} s"
