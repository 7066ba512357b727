"""Gatherings from draft to cancelled, ticket types and eligibility, breakouts: over HTTP against a
real registration process, with every event read back from a queue bound to the events exchange."""

from __future__ import annotations

from typing import Any

import httpx
from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts.catalogue import (
    GatheringCancelled,
    GatheringScheduled,
    GatheringUpdated,
    MembershipStatus,
    TicketPurchased,
    WaitlistOffered,
)
from hearth_shared.messaging import Names
from hearth_testing.broker import checked, collect, watch
from hearth_testing.builders import TITLE, gathering_body, member_upserted, person
from hearth_testing.fixtures import StartService
from hearth_testing.waiting import eventually

from .helpers import publish_from_register

POLICY = {"hours": "1.5", "minimum_attendance_fraction": "0.75", "category": "community_of_practice"}


async def test_a_gathering_goes_from_draft_to_open_is_changed_and_cancelled(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    registration = await start_service("registration")
    watcher = await watch(
        amqp,
        Names(name_prefix, "registration"),
        GatheringScheduled,
        GatheringUpdated,
        GatheringCancelled,
        WaitlistOffered,
    )
    async with registration.client() as client:
        series = (await client.post("/series", json={"title": TITLE, "cadence": "quarterly"})).json()
        body = gathering_body(
            capacity=1, status="draft", series_id=series["id"], credit_policy=POLICY,
            description={"en": "Practice stories", "fr": "Récits de pratique"},
        )  # fmt: skip
        draft = await _ok(client.post("/gatherings", json=body), 201)
        gid = draft["id"]
        refused = await client.post(f"/gatherings/{gid}/tickets", json=person())
        assert refused.status_code == 409
        assert refused.json()["errors"][0]["code"] == "gathering_not_open"
        await _ok(client.post(f"/gatherings/{gid}/status", json={"status": "open"}))
        first = await _ok(client.post(f"/gatherings/{gid}/tickets", json=person()), 201)
        second = await _ok(client.post(f"/gatherings/{gid}/tickets", json=person()), 202)

        # More seats: the person waiting is offered one at once.
        changed = await _ok(client.patch(f"/gatherings/{gid}", json={"capacity": 2, "venue": None}))
        assert (changed["capacity"], changed["seats_taken"]) == (2, 2)
        waitlist = (await client.get(f"/gatherings/{gid}/waitlist")).json()
        assert [e["status"] for e in waitlist] == ["offered"]
        too_small = await client.patch(f"/gatherings/{gid}", json={"capacity": 1})
        assert too_small.status_code == 422
        assert too_small.json()["errors"][0]["field"] == "capacity"
        bad_end = await client.patch(f"/gatherings/{gid}", json={"ends_at": body["starts_at"]})
        assert bad_end.status_code == 422
        assert "ends_at must be after starts_at" in bad_end.json()["errors"][0]["message"]

        await _ok(client.post(f"/gatherings/{gid}/status", json={"status": "cancelled", "reason": "Storm"}))
        final = await client.post(f"/gatherings/{gid}/status", json={"status": "open"})
        assert final.status_code == 409
        assert final.json()["errors"][0] == {
            "code": "status_transition_refused",
            "field": "status",
            "message": "a cancelled gathering cannot become open (allowed: nothing)",
        }
        shown = (await client.get(f"/series/{series['id']}")).json()
    assert shown["dates"] == []  # its only gathering was cancelled
    assert first["outcome"] == "ticket"
    assert second["outcome"] == "waitlisted"

    events = checked(await collect(watcher, 5))
    assert [kind for kind, _ in events] == [
        "gathering_scheduled",
        "gathering_updated",  # opened
        "waitlist_offered",  # capacity raised
        "gathering_updated",
        "gathering_cancelled",
    ]
    scheduled, opened = events[0][1], events[1][1]
    assert (scheduled.status, opened.status) == ("draft", "open")
    assert scheduled.credit_policy.hours == 1.5
    assert str(scheduled.series_id) == series["id"]
    assert events[3][1].capacity == 2
    assert events[4][1].reason == "Storm"


async def test_dates_are_right_in_the_gatherings_zone_across_dst(start_service: StartService) -> None:
    registration = await start_service("registration")
    async with registration.client() as client:
        # Halifax: 12:00 local is 16:00 UTC in winter (AST) and 15:00 UTC in summer (ADT).
        winter = await _schedule(client, starts_at="2027-03-11T16:00:00Z", ends_at="2027-03-11T17:30:00Z")
        summer = await _schedule(client, starts_at="2027-03-18T15:00:00Z", ends_at="2027-03-18T16:30:00Z")
        # London: 18:00 local is 18:00 UTC in GMT and 17:00 UTC in BST.
        london = {
            "time_zone": "Europe/London",
            "modality": "in_person",
            "venue": "Camden hall",
            "join_url": None,
        }
        before = await _schedule(
            client, starts_at="2027-03-25T18:00:00Z", ends_at="2027-03-25T21:30:00Z", **london
        )
        after = await _schedule(
            client, starts_at="2027-04-01T17:00:00Z", ends_at="2027-04-01T20:30:00Z", **london
        )
        bad_zone = await client.post("/gatherings", json=gathering_body(time_zone="Atlantic/Nowhere"))
    assert [g["local_start"] for g in (winter, summer, before, after)] == [
        "2027-03-11 12:00 AST",
        "2027-03-18 12:00 ADT",
        "2027-03-25 18:00 GMT",
        "2027-04-01 18:00 BST",
    ]
    assert bad_zone.status_code == 422
    assert bad_zone.json()["errors"][0]["field"] == "time_zone"


async def test_ticket_types_price_and_eligibility(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    registration = await start_service("registration")
    watcher = await watch(amqp, Names(name_prefix, "registration"), TicketPurchased)
    active = member_upserted(status=MembershipStatus.ACTIVE)
    lapsed = member_upserted(status=MembershipStatus.LAPSED)
    await publish_from_register(amqp, name_prefix, active, lapsed)
    types = [
        {"kind": "member", "price_cents": 2500},
        {"kind": "non_member", "price_cents": 4000},
        {"kind": "student", "price_cents": 1000},
    ]
    async with registration.client() as client:
        gid = (await _schedule(client, ticket_types=types))["id"]
        member = {"name": active.name, "email": active.email.upper(), "ticket_type": "member"}
        attested = person() | {
            "ticket_type": "non_member",
            "profession": "Social worker",
            "regulatory_body": "Nova Scotia College of Social Workers",
            "region": "Nova Scotia",
            "attests_regulated_profession": True,
        }
        await _eventually_member(client, gid, member)
        refused = {
            "lapsed": await client.post(
                f"/gatherings/{gid}/tickets",
                json={"name": lapsed.name, "email": lapsed.email, "ticket_type": "member"},
            ),
            "unknown": await client.post(
                f"/gatherings/{gid}/tickets", json=person() | {"ticket_type": "member"}
            ),
            "no_attestation": await client.post(
                f"/gatherings/{gid}/tickets", json=attested | {"attests_regulated_profession": False}
            ),
            "no_body": await client.post(
                f"/gatherings/{gid}/tickets", json=attested | {"regulatory_body": None}
            ),
            "free": await client.post(f"/gatherings/{gid}/tickets", json=person() | {"ticket_type": "free"}),
            "bad_email": await client.post(f"/gatherings/{gid}/tickets", json=person() | {"email": "nobody"}),
        }
        non_member = await _ok(client.post(f"/gatherings/{gid}/tickets", json=attested), 201)
        again = await client.post(f"/gatherings/{gid}/tickets", json=attested)
        holders = (
            await client.get(f"/gatherings/{gid}/registrants", params={"ticket_type": "non_member"})
        ).json()
        held = (await client.get(f"/tickets/{non_member['ticket']['id']}")).json()
        paid = await client.post(f"/tickets/{non_member['ticket']['id']}/payment", json={"method": "invoice"})
        ticket = (await client.get(f"/tickets/{non_member['ticket']['id']}")).json()
        gathering = (await client.get(f"/gatherings/{gid}")).json()

    codes = {
        k: (r.status_code, r.json()["errors"][0]["code"], r.json()["errors"][0]["field"])
        for k, r in refused.items()
    }
    assert codes == {
        "lapsed": (422, "membership_not_confirmed", "ticket_type"),
        "unknown": (422, "membership_not_confirmed", "ticket_type"),
        "no_attestation": (422, "not_eligible", "attests_regulated_profession"),
        "no_body": (422, "not_eligible", "regulatory_body"),
        "free": (422, "ticket_type_not_offered", "ticket_type"),
        "bad_email": (422, "invalid", "email"),
    }
    # The same words whatever the register says (anyone can type anyone's email).
    assert (
        refused["lapsed"].json()["errors"][0]["message"] == refused["unknown"].json()["errors"][0]["message"]
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "already_registered"
    assert non_member["ticket"]["price_cents"] == 4000
    assert [(r["profession"], r["region"]) for r in holders] == [("Social worker", "Nova Scotia")]
    # The join link: on a paid ticket (not one held awaiting payment), never on the public gathering.
    assert (held["status"], held["join_url"]) == ("awaiting_payment", None)
    assert paid.status_code == 200, paid.text
    assert ticket["status"] == "active"
    assert ticket["join_url"] == "https://video.example.org/j/quarterly"
    assert "join_url" not in gathering
    sold = checked(await collect(watcher, 2))
    assert sorted((d.ticket_type, d.price_cents, d.currency) for _, d in sold) == [
        ("member", 2500, "CAD"),
        ("non_member", 4000, "CAD"),
    ]


async def test_breakouts_by_language_first_and_staff_moves(start_service: StartService) -> None:
    registration = await start_service("registration")
    async with registration.client() as client:
        gid = (await _schedule(client))["id"]
        french = await _breakout(client, gid, "fr", None, 1)
        english_justice = await _breakout(client, gid, "en", "justice", 5)
        english_housing = await _breakout(client, gid, "en", "housing_and_poverty", 5)

        async def buy(language: str, **extra: Any) -> dict[str, Any]:
            body = person(language) | extra
            return dict((await _ok(client.post(f"/gatherings/{gid}/tickets", json=body), 201))["ticket"])

        francophone = await buy("fr")
        second_francophone = await buy("fr")  # the French room is full: next best
        justice = await buy("en", practice_area="justice")
        chosen = await buy("fr", breakout_id=english_housing)
        full = await client.post(f"/gatherings/{gid}/tickets", json=person() | {"breakout_id": french})
        moved = await _ok(
            client.post(f"/tickets/{justice['id']}/breakout", json={"breakout_id": english_housing})
        )
        into_full = await client.post(f"/tickets/{justice['id']}/breakout", json={"breakout_id": french})
        rooms = {b["id"]: b["seats_taken"] for b in (await client.get(f"/gatherings/{gid}/breakouts")).json()}

    assert francophone["breakout_id"] == french
    assert second_francophone["breakout_id"] in (english_justice, english_housing)
    assert justice["breakout_id"] == english_justice
    assert chosen["breakout_id"] == english_housing
    assert (full.status_code, full.json()["errors"][0]["field"]) == (409, "breakout_id")
    assert moved["breakout_id"] == english_housing
    assert into_full.json()["errors"][0]["code"] == "breakout_full"
    assert rooms[french] == 1
    assert rooms[english_justice] + rooms[english_housing] == 3


async def _eventually_member(client: httpx.AsyncClient, gid: str, member: dict[str, Any]) -> None:
    """Buy a member ticket once the register's event has arrived (it travels through the broker)."""

    async def buy() -> httpx.Response:
        response = await client.post(f"/gatherings/{gid}/tickets", json=member)
        if response.status_code != 201:
            assert response.json()["errors"][0]["code"] == "membership_not_confirmed", response.text
        return response

    await eventually(buy, lambda response: response.status_code == 201, timeout=15, interval=0.2)


async def _schedule(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    return await _ok(client.post("/gatherings", json=gathering_body(**overrides)), 201)


async def _breakout(
    client: httpx.AsyncClient, gid: str, language: str, area: str | None, capacity: int
) -> str:
    body = {"name": {"en": f"{language} {area}", "fr": f"{language} {area}"}, "language": language,
            "practice_area": area, "capacity": capacity}  # fmt: skip
    return str((await _ok(client.post(f"/gatherings/{gid}/breakouts", json=body), 201))["id"])


async def _ok(request: Any, expect: int = 200) -> dict[str, Any]:
    response: httpx.Response = await request
    assert response.status_code == expect, response.text
    return dict(response.json())
