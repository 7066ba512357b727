"""The membership register's events reach registration's people, one person per email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts.catalogue import MembershipStatus
from hearth_testing.builders import member_upserted
from hearth_testing.fixtures import StartService
from hearth_testing.infra import TestDatabase
from hearth_testing.waiting import eventually

from .helpers import publish_from_register


async def test_a_member_upserted_by_the_register_becomes_one_person_whatever_the_email_case(
    start_service: StartService, amqp: AbstractRobustConnection, database: TestDatabase, name_prefix: str
) -> None:
    await start_service("registration")
    first = member_upserted(
        member_id="M-7781",
        email="Noor.Haddad@Example.org",
        preferred_language="fr",
        status=MembershipStatus.ACTIVE,
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
        rows = await eventually(
            lambda: conn.fetch(
                "SELECT member_id, membership_status, preferred_language FROM people "
                "WHERE lower(email) = 'noor.haddad@example.org'"
            ),
            lambda rows: bool(rows) and rows[0]["membership_status"] == "lapsed",
        )
    finally:
        await conn.close()
    assert [tuple(r) for r in rows] == [("M-7781", "lapsed", "fr")]


async def test_an_older_member_record_arriving_late_does_not_overwrite_a_newer_one(
    start_service: StartService, amqp: AbstractRobustConnection, database: TestDatabase, name_prefix: str
) -> None:
    await start_service("registration")
    newer = member_upserted(
        member_id="M-9120",
        email="ariel.thibodeau@example.org",
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
        await eventually(lambda: conn.fetchval("SELECT 1 FROM people WHERE member_id = 'M-9121'"))
        status = await conn.fetchval("SELECT membership_status FROM people WHERE member_id = 'M-9120'")
    finally:
        await conn.close()
    assert status == "suspended"
