"""Erasure in groups, on the real broker and database: once a person is erased, a replayed
InterestExpressed or TicketPurchased for their id puts them back neither in the interest pool nor
in the digests erasure finds people by."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import EventData, new_event
from hearth_shared.contracts.catalogue import Interest, InterestExpressed, PersonErasureRequested
from hearth_shared.messaging import Names
from hearth_testing.broker import publish_event
from hearth_testing.builders import gathering_scheduled, person_details, ticket_purchased
from hearth_testing.fixtures import StartService
from hearth_testing.infra import TestDatabase
from hearth_testing.waiting import eventually

STAFF = {"X-Hearth-Role": "staff"}


async def test_a_replayed_interest_does_not_bring_an_erased_person_back(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str, database: TestDatabase
) -> None:
    groups = await start_service("groups")
    names = Names(name_prefix, "groups")

    async def publish(data: EventData) -> None:
        await publish_event(amqp, names, new_event(data, source="/hearth/registration"))

    g, erased, witness = gathering_scheduled(capacity=10), person_details(), person_details()
    purchase = ticket_purchased(g, erased)
    interest = InterestExpressed(person_id=erased.person_id, interest=Interest.PEER_SUPPORT, language="en")
    await publish(purchase)
    await publish(interest)
    async with groups.client(role=None, headers=STAFF) as client:

        async def interests(person: Any) -> Any:
            return await client.get(f"/people/{person.person_id}/interests")

        await eventually(lambda: interests(erased), lambda r: len(r.json()) == 1)
        await publish(PersonErasureRequested(email=str(erased.email), requested_at=datetime.now(UTC)))
        await eventually(lambda: interests(erased), lambda r: r.json() == [])
        await publish(purchase)  # replays (new event ids, the same facts)
        await publish(interest)
        await publish(
            InterestExpressed(person_id=witness.person_id, interest=Interest.PEER_SUPPORT, language="en")
        )
        await publish(ticket_purchased(g, witness))
        await eventually(lambda: interests(witness), lambda r: len(r.json()) == 1)
        assert (await interests(erased)).json() == []
    conn = await database.connect("groups")
    try:

        async def keys() -> list[Any]:
            query = "SELECT person_id FROM person_keys WHERE person_id = ANY($1::uuid[])"
            return [r[0] for r in await conn.fetch(query, [erased.person_id, witness.person_id])]

        assert await eventually(keys, lambda found: found != []) == [witness.person_id]
    finally:
        await conn.close()
