"""Erasure in registration, on the real broker and database: after PersonErasureRequested the
registrant list, the attendance list and the import report no longer name the person, their
feedback's free text is gone, and a later record from the membership register does not bring
them back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import PersonErasureRequested
from hearth_shared.messaging import Names
from hearth_testing.broker import publish_event
from hearth_testing.builders import member_upserted, person
from hearth_testing.fixtures import StartService
from hearth_testing.infra import TestDatabase
from hearth_testing.waiting import eventually

from .helpers import buy_tickets, publish_from_register, schedule_gathering


def _report(email: str) -> str:
    """A platform's report with one usable row and one the import keeps as an error."""
    return (
        "Name,User Email,Join Time,Leave Time\n"
        f"Someone,{email},03/11/2027 12:00:00 PM,03/11/2027 01:30:00 PM\n"
        f"Someone,{email},03/11/2027 12:05:00 PM,not a time\n"
    )


async def _reads(client: httpx.AsyncClient, gid: str) -> list[Any]:
    return [
        (await client.get(f"/gatherings/{gid}/{path}")).json()
        for path in ("registrants", "attendance", "attendance-imports")
    ]


async def test_erasure_pseudonymises_the_person_and_the_register_cannot_bring_them_back(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str, database: TestDatabase
) -> None:
    registration = await start_service("registration")
    names = Names(name_prefix, "registration")
    someone, other = person(), person()
    async with registration.client() as client:
        gid = await schedule_gathering(registration)
        ids = [str(t["person_id"]) for t in await buy_tickets(client, gid, [someone, other])]
        imported = await client.post(
            f"/gatherings/{gid}/attendance-imports", content=_report(someone["email"]),
            headers={"Content-Type": "text/csv"},
        )  # fmt: skip
        assert imported.status_code == 201, imported.text
        comments = f"Thanks, {someone['name']} here ({someone['email']})"
        given = await client.post(
            f"/gatherings/{gid}/feedback",
            json={"email": someone["email"], "benefit_rating": 5, "comments": comments},
        )
        assert given.status_code == 201, given.text
        assert someone["email"] in str(await _reads(client, gid))

        request = PersonErasureRequested(email=someone["email"].upper(), requested_at=datetime.now(UTC))
        await publish_event(amqp, names, new_event(request, source="/hearth/gateway"))
        registrants = await eventually(
            lambda: client.get(f"/gatherings/{gid}/registrants"),
            lambda r: any(h["erased_at"] for h in r.json()),
        )
        # The register, late or replayed, names the erased person again.
        await publish_from_register(
            amqp, name_prefix, member_upserted(email=someone["email"], name=someone["name"])
        )
        await publish_from_register(
            amqp, name_prefix, member_upserted(email=other["email"], name="Other New")
        )
        await eventually(
            lambda: client.get(f"/gatherings/{gid}/registrants"),
            lambda r: any(h["name"] == "Other New" for h in r.json()),
        )
        reads = await _reads(client, gid)

    holders = {h["person_id"]: h for h in registrants.json()}
    assert holders[ids[0]]["name"] == "erased"
    assert holders[ids[0]]["erased_at"]
    assert holders[ids[1]]["erased_at"] is None  # the other holder is untouched
    attendance = {a["person_id"]: a for a in reads[1]}
    assert attendance[ids[0]]["erased_at"]
    assert attendance[ids[0]]["minutes_attended"] == 90
    for text in (someone["email"], someone["name"]):
        assert text.lower() not in str(reads).lower()
    conn = await database.connect("registration")
    try:
        rows = await conn.fetch(
            "SELECT people.id, name, email, comments FROM people"
            " LEFT JOIN feedback f ON f.person_id = people.id"
        )
    finally:
        await conn.close()
    assert someone["email"] not in str(rows)
    assert someone["name"] not in str(rows)
    assert [(r["name"], r["comments"]) for r in rows if str(r["id"]) == ids[0]] == [("erased", None)]
