"""Erasure in credits, on the real broker and database: attendance published before the erasure
request but arriving after it (for a person credits had not met) keeps the hours and issues the
certificate record, but brings back no name or email; the certificate verifies without a holder."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    CertificateIssued,
    CreditPolicy,
    PersonErasureRequested,
)
from hearth_shared.messaging import Names
from hearth_testing.broker import drain, publish_event, watch
from hearth_testing.builders import gathering_scheduled, person_details
from hearth_testing.fixtures import StartService
from hearth_testing.infra import TestDatabase
from hearth_testing.waiting import eventually


async def test_attendance_from_before_an_erasure_earns_hours_but_brings_no_name_back(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str, database: TestDatabase
) -> None:
    credits = await start_service("credits")
    names = Names(name_prefix, "credits")
    watcher = await watch(amqp, names, CertificateIssued)
    policy = CreditPolicy(
        hours=Decimal("1.5"), minimum_attendance_fraction=Decimal("0.75"), category="community_of_practice"
    )
    g = gathering_scheduled(capacity=10, credit_policy=policy)
    who = person_details(name="Léa Martin")
    attended = new_event(
        AttendanceRecorded(
            attendance_id=uuid.uuid4(), gathering_id=g.gathering_id, person_id=who.person_id,
            minutes_attended=90, revision=1, attendee=who,
        ),
        source="/hearth/registration",
    )  # fmt: skip
    published_at = datetime.now(UTC) - timedelta(seconds=5)
    request = PersonErasureRequested(email=str(who.email), requested_at=datetime.now(UTC))
    await publish_event(amqp, names, new_event(request, source="/hearth/gateway"))
    digest = hashlib.sha256(str(who.email).strip().lower().encode()).hexdigest()
    conn = await database.connect("credits")
    try:  # the request has been applied (other queues, so no order between them otherwise)
        tombstone = "SELECT count(*) FROM erased_addresses WHERE email_digest = $1"
        await eventually(lambda: conn.fetchval(tombstone, digest), lambda n: n == 1, timeout=20)
    finally:
        await conn.close()
    await publish_event(amqp, names, new_event(g, source="/hearth/registration"))
    await publish_event(amqp, names, attended.model_copy(update={"time": published_at}))
    async with credits.client() as client:
        await eventually(lambda: client.get(f"/people/{who.person_id}/ledger"), lambda r: len(r.json()) == 1)
        transcript = (
            await client.get(f"/people/{who.person_id}/transcript", params={"cycle": "2026-2027"})
        ).json()
    # Its own person's only: a credits process relays what an earlier test's left in the outbox.
    issued = [e for e in await drain(watcher, quiet=1.0) if e["data"]["person_id"] == str(who.person_id)]
    assert issued == []
    assert Decimal(transcript["progress"]["earned"]) == Decimal("1.5")
    conn = await database.connect("credits")
    try:
        people = await conn.fetch("SELECT * FROM people")
    finally:
        await conn.close()
    assert who.name not in str(people)
    assert str(who.email) not in str(people)
