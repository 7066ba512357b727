"""The membership register's events reach registration's people, one person per email."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import MembershipStatus, MemberUpserted
from hearth_shared.messaging import Names
from hearth_testing.broker import publish_event
from hearth_testing.fixtures import StartService
from hearth_testing.infra import TestDatabase


async def publish_from_register(
    amqp: AbstractRobustConnection, name_prefix: str, *records: MemberUpserted
) -> None:
    names = Names(name_prefix, "registration")
    for record in records:
        await publish_event(amqp, names, new_event(record, source="/membership-register"))


async def test_a_member_upserted_by_the_register_becomes_one_person_whatever_the_email_case(
    start_service: StartService, amqp: AbstractRobustConnection, database: TestDatabase, name_prefix: str
) -> None:
    await start_service("registration")
    first = MemberUpserted(
        member_id="M-7781",
        registration_number="NS-2021-0457",
        name="Noor Haddad",
        email="Noor.Haddad@Example.org",
        preferred_language="fr",
        status=MembershipStatus.ACTIVE,
        changed_at=datetime.now(UTC),
    )
    lapsed = first.model_copy(
        update={
            "email": "noor.haddad@example.org",
            "status": MembershipStatus.LAPSED,
            "changed_at": first.changed_at + timedelta(minutes=5),
        }
    )
    await publish_from_register(amqp, name_prefix, first, lapsed)

    conn = await database.connect("registration")
    try:
        async with asyncio.timeout(15):
            while True:
                rows = await conn.fetch(
                    "SELECT member_id, membership_status, preferred_language FROM people "
                    "WHERE lower(email) = 'noor.haddad@example.org'"
                )
                if rows and rows[0]["membership_status"] == "lapsed":
                    break
                await asyncio.sleep(0.1)
    finally:
        await conn.close()
    assert [tuple(r) for r in rows] == [("M-7781", "lapsed", "fr")]


async def test_an_older_member_record_arriving_late_does_not_overwrite_a_newer_one(
    start_service: StartService, amqp: AbstractRobustConnection, database: TestDatabase, name_prefix: str
) -> None:
    await start_service("registration")
    newer = MemberUpserted(
        member_id="M-9120",
        registration_number="NB-2018-0033",
        name="Ariel Thibodeau",
        email="ariel.thibodeau@example.org",
        preferred_language="en",
        status=MembershipStatus.SUSPENDED,
        changed_at=datetime(2026, 11, 20, 15, 0, tzinfo=UTC),
    )
    older = newer.model_copy(
        update={"status": MembershipStatus.ACTIVE, "changed_at": datetime(2026, 11, 1, 9, 0, tzinfo=UTC)}
    )
    marker = newer.model_copy(update={"member_id": "M-9121", "email": "marker.9121@example.org"})
    # The older one arrives late, e.g. after a retry.
    await publish_from_register(amqp, name_prefix, newer, older, marker)

    conn = await database.connect("registration")
    try:
        async with asyncio.timeout(15):
            while not await conn.fetchval("SELECT 1 FROM people WHERE member_id = 'M-9121'"):
                await asyncio.sleep(0.1)
        status = await conn.fetchval("SELECT membership_status FROM people WHERE member_id = 'M-9120'")
    finally:
        await conn.close()
    assert status == "suspended"
