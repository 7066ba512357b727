"""Capacity and the waitlist, against a real registration process and database."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections import Counter
from typing import Any

import httpx

from hearth_testing.builders import person
from hearth_testing.fixtures import StartService
from hearth_testing.infra import TestDatabase
from hearth_testing.waiting import eventually

from .helpers import schedule_gathering


async def test_3000_concurrent_buyers_for_500_seats_get_exactly_500_tickets(
    start_service: StartService, database: TestDatabase
) -> None:
    registration = await start_service("registration")
    gathering_id = await schedule_gathering(registration, capacity=500)
    buyers = [person() for _ in range(3000)]
    # 64 requests in flight at every moment, on 64 connections. (Queueing all 3,000 inside
    # httpx's pool instead costs the client quadratic time before anything is sent.)
    in_flight = asyncio.Semaphore(64)
    limits = httpx.Limits(max_connections=64)
    async with registration.client(limits=limits, timeout=60) as client:

        async def buy(index: int) -> httpx.Response:
            async with in_flight:
                return await client.post(
                    f"/gatherings/{gathering_id}/tickets",
                    json=buyers[index],
                    headers={"Idempotency-Key": f"buyer-{gathering_id}-{index}"},
                )

        first = await asyncio.gather(*(buy(i) for i in range(3000)))
        # The first 200 buyers retry (a timeout on their side, say): same key, same outcome.
        repeats = await asyncio.gather(*(buy(i) for i in range(200)))

    assert Counter(r.status_code for r in first) == {201: 500, 202: 2500}
    assert {r.status_code for r in repeats} == {200}
    for before, again in zip(first[:200], repeats, strict=True):
        assert _outcome_id(again.json()) == _outcome_id(before.json())

    conn = await database.connect("registration")
    try:
        tickets = await conn.fetchval(
            "SELECT count(*) FROM tickets WHERE gathering_id = $1 AND status = 'active'", _uuid(gathering_id)
        )
        waiting = await conn.fetchval(
            "SELECT count(*) FROM waitlist WHERE gathering_id = $1 AND status = 'waiting'",
            _uuid(gathering_id),
        )
        seats = await conn.fetchval("SELECT seats_taken FROM gatherings WHERE id = $1", _uuid(gathering_id))
        purchased = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE event_type LIKE '%ticket_purchased%' "
            "AND convert_from(body, 'UTF8') LIKE '%' || $1 || '%'",
            gathering_id,
        )
    finally:
        await conn.close()
    assert (tickets, waiting, seats, purchased) == (500, 2500, 500, 500)


async def test_a_freed_seat_is_offered_in_turn_and_an_expired_offer_passes_on(
    start_service: StartService,
) -> None:
    registration = await start_service(
        "registration", waitlist_hold_seconds=1.0, offer_expiry_poll_seconds=0.2
    )
    gathering_id = await schedule_gathering(registration, capacity=1)
    async with registration.client() as client:

        async def buy() -> dict[str, Any]:
            response = await client.post(f"/gatherings/{gathering_id}/tickets", json=person())
            assert response.status_code in (201, 202), response.text
            return dict(response.json())

        ana, ben, chloe, dev = [await buy() for _ in range(4)]
        assert ana["outcome"] == "ticket"
        assert [p["position"] for p in (ben, chloe, dev)] == [1, 2, 3]

        await _post(client, f"/tickets/{ana['ticket']['id']}/cancel")
        assert await _statuses(client, gathering_id) == ["offered", "waiting", "waiting"]
        bens_ticket = await _post(client, f"/waitlist/{_entry(ben)}/accept", expect=201)

        await _post(client, f"/tickets/{bens_ticket['id']}/cancel")
        assert await _statuses(client, gathering_id) == ["accepted", "offered", "waiting"]
        # Chloe lets the hold run out: the seat passes to Dev.
        passed_on = ["accepted", "expired", "offered"]
        await eventually(lambda: _statuses(client, gathering_id), lambda now: now == passed_on, timeout=10)
        refused = await client.post(f"/waitlist/{_entry(chloe)}/accept")
        assert refused.status_code == 409
        assert refused.json()["errors"][0]["code"] == "offer_not_open"

        # Dev withdraws: nobody is left in line, so the seat goes back on sale.
        await _post(client, f"/waitlist/{_entry(dev)}/withdraw")
        erin = await buy()
        assert erin["outcome"] == "ticket"
        gathering = (
            await client.get(f"/gathering/{gathering_id}".replace("gathering/", "gatherings/"))
        ).json()
        assert gathering["seats_taken"] == 1


async def _post(client: httpx.AsyncClient, path: str, expect: int = 200) -> dict[str, Any]:
    response = await client.post(path)
    assert response.status_code == expect, response.text
    return dict(response.json())


async def _statuses(client: httpx.AsyncClient, gathering_id: str) -> list[str]:
    return [e["status"] for e in (await client.get(f"/gatherings/{gathering_id}/waitlist")).json()]


def _entry(purchase: dict[str, Any]) -> str:
    return str(purchase["waitlist_entry"]["id"])


def _outcome_id(purchase: dict[str, Any]) -> str:
    return str((purchase.get("ticket") or purchase["waitlist_entry"])["id"])


def _uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)


async def test_staff_list_and_export_ticket_holders_with_filters(start_service: StartService) -> None:
    registration = await start_service("registration")
    gathering_id = await schedule_gathering(registration, capacity=10)
    people = [person("fr"), person("en"), person("en")]
    async with registration.client() as client:
        tickets = []
        for someone in people:
            response = await client.post(f"/gatherings/{gathering_id}/tickets", json=someone)
            tickets.append(response.json()["ticket"]["id"])
        await _post(client, f"/tickets/{tickets[1]}/cancel")

        active = (await client.get(f"/gatherings/{gathering_id}/registrants")).json()
        found = (
            await client.get(f"/gatherings/{gathering_id}/registrants", params={"q": people[2]["email"]})
        ).json()
        export = await client.get(f"/gatherings/{gathering_id}/registrants", params={"format": "csv"})
        missing = await client.get(f"/gatherings/{uuid.uuid4()}/registrants")

    assert [r["email"] for r in active] == [people[0]["email"], people[2]["email"]]
    assert [r["name"] for r in found] == [people[2]["name"]]
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [(r["email"], r["preferred_language"]) for r in rows] == [
        (people[0]["email"], "fr"),
        (people[2]["email"], "en"),
    ]
    assert missing.status_code == 404
