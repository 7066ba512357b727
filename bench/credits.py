"""Credits benchmark: credits awarded per second while draining a backlog of AttendanceRecorded.

The real credits handlers (`hearth_credits`) in this process, against this machine's Postgres and
RabbitMQ: first the gatherings' policies arrive (GatheringScheduled, 100 gatherings), then a
backlog of attendance records (each earning an award, a ledger entry, a certificate and two
events) is published before the consumer starts; the clock runs until the ledger holds one award
per record. Beside it, in the same run, the foundation's raw per-message baseline (bench/consume.py:
aio-pika, one transaction per message, one row). Rounds alternate; medians and the ratio are
printed and written to bench/results/. The exactly-once check: awards == records, no duplicates.

    uv run python bench/credits.py [--events 50000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from common import (
    AMQP_URL,
    Bench,
    bench_environment,
    publish_backlog,
    remove_topology,
    summarise,
    wait_for_rows,
)
from consume import SCHEMA as RAW_SCHEMA
from consume import run_raw

from hearth_credits.app import create_runtime
from hearth_credits.settings import CreditsSettings
from hearth_shared.contracts import CloudEvent, new_event
from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    Bilingual,
    CreditPolicy,
    GatheringScheduled,
    PersonDetails,
)
from hearth_shared.messaging import Names
from hearth_shared.messaging.topology import declare_exchanges

GATHERINGS = 100


def gatherings() -> list[GatheringScheduled]:
    starts = datetime(2027, 3, 11, 16, tzinfo=UTC)
    return [
        GatheringScheduled(
            gathering_id=uuid.uuid4(),
            title=Bilingual(en=f"Gathering {i}", fr=f"Rencontre {i}"),
            kind="community_of_practice",
            modality="virtual",
            starts_at=starts + timedelta(days=i),
            ends_at=starts + timedelta(days=i, minutes=90),
            time_zone="America/Halifax",
            capacity=1000,
            credit_policy=CreditPolicy(
                hours=Decimal("1.5"),
                minimum_attendance_fraction=Decimal("0.5"),
                category="community_of_practice",
            ),
        )
        for i in range(GATHERINGS)
    ]


def attendance(scheduled: list[GatheringScheduled], count: int) -> list[CloudEvent[Any]]:
    events = []
    for i in range(count):
        person = uuid.uuid4()
        who = PersonDetails(
            person_id=person, name=f"Person {i}", email=f"p{i}.{person.hex[:6]}@example.org", language="en"
        )
        record = AttendanceRecorded(
            attendance_id=uuid.uuid4(),
            gathering_id=scheduled[i % len(scheduled)].gathering_id,
            person_id=person,
            minutes_attended=60 + i % 30,
            revision=1,
            attendee=who,
        )
        events.append(new_event(record, source="/bench"))
    return events


async def run_credits(bench: Bench, count: int, round_no: int) -> float:
    settings = CreditsSettings(
        amqp_url=AMQP_URL,
        database_url=bench.database.dsn("credits"),
        name_prefix=f"{bench.prefix}r{round_no}.",
    )
    names = Names(settings.name_prefix, "credits")
    scheduled = gatherings()
    runtime = create_runtime(settings)
    await runtime.start()  # declares the topology; the policies arrive first
    while not await runtime.ready():
        await asyncio.sleep(0.05)
    await publish_backlog(
        bench.amqp,
        names.events_exchange,
        GatheringScheduled.routing_key(),
        [new_event(g, source="/b") for g in scheduled],
    )
    await wait_for_rows(settings.database_url, "credits", "activities", GATHERINGS * round_no)
    await runtime.stop()

    await publish_backlog(
        bench.amqp, names.events_exchange, AttendanceRecorded.routing_key(), attendance(scheduled, count)
    )
    runtime = create_runtime(settings)
    started = asyncio.get_running_loop().time()
    await runtime.start()
    await wait_for_rows(settings.database_url, "credits", "ledger", count * round_no)
    elapsed = asyncio.get_running_loop().time() - started
    await runtime.stop()
    await remove_topology(bench.amqp, names, [h.name for h in runtime.handlers], [])
    return count / elapsed


async def main(count: int, rounds: int) -> None:
    async with bench_environment() as bench:
        conn = await bench.database.connect(RAW_SCHEMA)
        await conn.execute("CREATE TABLE raw_effects (event_id text, person_id uuid, minutes int)")
        await conn.close()
        async with bench.amqp.channel() as channel:
            await declare_exchanges(channel, Names(bench.prefix, RAW_SCHEMA))
        results: dict[str, list[float]] = {"raw_per_message": [], "credits": []}
        for round_no in range(1, rounds + 1):
            raw = await run_raw(bench, attendance(gatherings(), count), round_no)
            awarded = await run_credits(bench, count, round_no)
            results["raw_per_message"].append(raw)
            results["credits"].append(awarded)
            print(
                f"round {round_no}: raw {raw:,.0f} msg/s, credits {awarded:,.0f} awards/s,"
                f" ratio {awarded / raw:.2f}"
            )
        await remove_topology(bench.amqp, Names(bench.prefix, RAW_SCHEMA), [], [])
        check = await bench.database.connect("credits")
        counts = await check.fetchrow(
            "SELECT count(*), count(DISTINCT (person_id, activity_id)) FROM ledger WHERE kind = 'award'"
        )
        await check.close()
        assert counts is not None
        awards, distinct = counts
        summary = summarise(
            "credits", results, {"events_per_round": count, "awards": awards, "distinct_awards": distinct}
        )
        median = summary["median"]
        ratio = median["credits"] / median["raw_per_message"]
        exactly_once = awards == distinct == count * rounds
        print(
            f"\nmedian over {rounds} rounds of {count:,} events: raw {median['raw_per_message']:,.0f} msg/s,"
            f" credits {median['credits']:,.0f} awards/s, credits/raw = {ratio:.2f};"
            f" awards {awards:,} for {count * rounds:,} records, {distinct:,} distinct"
            f" (exactly once: {exactly_once})"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.rounds))
