"""What the public site may do for a person (issue 13), against a real registration process,
broker and database: an anonymous registration never renames a member; a refused member ticket
says nothing of the membership; a place in line is read and an offer declined; the holder moves
breakout; feedback is one per attendee, editable, and readable only as one's own."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts.catalogue import (
    FeedbackSubmitted,
    InterestExpressed,
    MembershipStatus,
    TicketPurchased,
)
from hearth_shared.messaging import Names
from hearth_testing.broker import checked, collect, drain, watch
from hearth_testing.builders import member_upserted, person
from hearth_testing.fixtures import StartService
from hearth_testing.waiting import eventually

from .helpers import publish_from_register, schedule_gathering

TYPES = [{"kind": "member", "price_cents": 0}, {"kind": "free", "price_cents": 0}]


async def _member_ticket(client: httpx.AsyncClient, gid: str, body: dict[str, Any]) -> httpx.Response:
    """A member ticket once the register's record has arrived (it travels through the broker)."""

    async def buy() -> httpx.Response:
        return await client.post(f"/gatherings/{gid}/tickets", json=body | {"ticket_type": "member"})

    return await eventually(buy, lambda r: r.status_code == 201, timeout=15, interval=0.2)


async def test_an_anonymous_registration_cannot_rename_a_member(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    registration = await start_service("registration")
    watcher = await watch(amqp, Names(name_prefix, "registration"), TicketPurchased)
    member = member_upserted(name="Jordan Comeau", preferred_language="fr")
    await publish_from_register(amqp, name_prefix, member)
    first, second, third = [await schedule_gathering(registration, ticket_types=TYPES) for _ in range(3)]
    impostor = {"name": "Someone Else", "email": member.email.upper(), "preferred_language": "en"}
    async with registration.client("public") as public:
        own = (await _member_ticket(public, first, {"name": member.name, "email": member.email})).json()
        typed = await public.post(f"/gatherings/{second}/tickets", json=impostor | {"ticket_type": "free"})
        still_a_member = await public.post(
            f"/gatherings/{third}/tickets", json=impostor | {"ticket_type": "member"}
        )
    async with registration.client() as staff:
        holders = (await staff.get(f"/gatherings/{second}/registrants")).json()

    assert typed.status_code == 201, typed.text
    assert typed.json()["person_id"] == own["person_id"]
    assert [(h["name"], h["preferred_language"], h["member_id"]) for h in holders] == [
        ("Jordan Comeau", "fr", member.member_id)
    ]
    assert still_a_member.status_code == 201, still_a_member.text
    names = {d.attendee.name for _, d in checked(await collect(watcher, 3))}
    assert names == {"Jordan Comeau"}


async def test_a_refused_member_ticket_says_nothing_of_the_membership(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    registration = await start_service("registration")
    records = {s: member_upserted(status=s) for s in (MembershipStatus.LAPSED, MembershipStatus.SUSPENDED)}
    canary = member_upserted()  # active: once it is a member, the others' records have arrived too
    await publish_from_register(amqp, name_prefix, *records.values(), canary)
    gid = await schedule_gathering(registration, ticket_types=TYPES)
    async with registration.client("public") as public:
        await _member_ticket(public, gid, {"name": canary.name, "email": canary.email})
        answers = [
            await public.post(
                f"/gatherings/{gid}/tickets",
                json={"name": "A Person", "email": email, "ticket_type": "member"},
            )
            for email in [r.email for r in records.values()] + [person()["email"]]
        ]

    assert [a.status_code for a in answers] == [422, 422, 422]
    bodies = [a.json() for a in answers]
    assert bodies[0] == bodies[1] == bodies[2]
    [error] = bodies[0]["errors"]
    assert (error["code"], error["field"]) == ("membership_not_confirmed", "ticket_type")
    assert error["message"] == (
        "we could not confirm a membership for this email; choose a non-member ticket or contact us"
    )
    for word in ("lapsed", "suspended", "register", "status"):
        assert word not in str(bodies[0])


async def test_a_place_in_line_is_read_and_an_offer_declined_and_the_holder_moves_breakout(
    start_service: StartService,
) -> None:
    registration = await start_service("registration")
    gid = await schedule_gathering(registration, capacity=1)
    async with registration.client() as staff:
        room = {"name": {"en": "French", "fr": "Français"}, "language": "fr", "capacity": 5}
        breakout = (await staff.post(f"/gatherings/{gid}/breakouts", json=room)).json()["id"]
    async with registration.client("public") as public:
        holder = (await public.post(f"/gatherings/{gid}/tickets", json=person())).json()
        ben, chloe = [(await public.post(f"/gatherings/{gid}/tickets", json=person())).json() for _ in "bc"]
        ben_id, chloe_id = ben["waitlist_entry"]["id"], chloe["waitlist_entry"]["id"]
        moved = await public.post(f"/tickets/{holder['ticket_id']}/breakout", json={"breakout_id": breakout})
        waiting = (await public.get(f"/waitlist/{ben_id}")).json()
        too_early = await public.post(f"/waitlist/{ben_id}/decline")
        await public.post(f"/tickets/{holder['ticket_id']}/cancel")
        offered = (await public.get(f"/waitlist/{ben_id}")).json()
        declined = await public.post(f"/waitlist/{ben_id}/decline")
        passed_on = (await public.get(f"/waitlist/{chloe_id}")).json()
        unknown = await public.get(f"/waitlist/{uuid.uuid4()}")

    assert (moved.status_code, moved.json()["breakout_id"]) == (200, breakout)
    assert (waiting["status"], waiting["gathering_id"], waiting["offer_expires_at"]) == ("waiting", gid, None)
    assert (too_early.status_code, too_early.json()["errors"][0]["code"]) == (409, "offer_not_open")
    assert offered["status"] == "offered"
    assert offered["offer_expires_at"] is not None
    assert (declined.status_code, declined.json()["status"]) == (200, "withdrawn")
    assert passed_on["status"] == "offered"
    assert unknown.status_code == 404


async def test_feedback_is_one_per_attendee_editable_and_read_only_by_its_person(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    registration = await start_service("registration")
    watcher = await watch(amqp, Names(name_prefix, "registration"), FeedbackSubmitted, InterestExpressed)
    gid = await schedule_gathering(registration)
    async with registration.client() as staff:
        people = [person("fr") for _ in "abc"]
        tickets = [(await staff.post(f"/gatherings/{gid}/tickets", json=p)).json() for p in people]
        ana, ben, absent = (t["person_id"] for t in tickets)
        checked_in = await staff.post(f"/gatherings/{gid}/check-ins", json={"person_ids": [ana, ben]})
        assert checked_in.status_code == 200, checked_in.text
    peer_support = {"interest": "peer_support"}
    supervision = {"interest": "peer_supervision", "practice_area": "justice"}
    async with registration.client("public") as public:
        given = await public.put(
            f"/gatherings/{gid}/feedback/{ana}", json={"benefit_rating": 3, "follow_up": [peer_support]}
        )
        edited = await public.put(
            f"/gatherings/{gid}/feedback/{ana}",
            json={"benefit_rating": 5, "comments": "Merci", "follow_up": [peer_support, supervision]},
        )
        own = await public.get(f"/gatherings/{gid}/feedback/{ana}")
        none_yet = await public.get(f"/gatherings/{gid}/feedback/{ben}")
        not_there = await public.put(f"/gatherings/{gid}/feedback/{absent}", json={"benefit_rating": 4})
        everyone = await public.get(f"/gatherings/{gid}/feedback")
        by_typed_email = {"email": people[1]["email"], "benefit_rating": 1}
        posted = await public.post(f"/gatherings/{gid}/feedback", json=by_typed_email)
    async with registration.client("viewer") as viewer:
        listed = (await viewer.get(f"/gatherings/{gid}/feedback")).json()
        viewer_posted = await viewer.post(f"/gatherings/{gid}/feedback", json=by_typed_email)

    assert (given.status_code, edited.status_code) == (201, 200)
    assert edited.json()["id"] == given.json()["id"]
    assert own.json() == edited.json()
    assert (own.json()["benefit_rating"], own.json()["comments"]) == (5, "Merci")
    assert own.json()["updated_at"] is not None
    assert none_yet.status_code == 404
    assert (not_there.status_code, not_there.json()["errors"][0]["code"]) == (409, "not_an_attendee")
    assert everyone.status_code == 403
    assert posted.status_code == viewer_posted.status_code == 403  # an email is no proof of a person
    assert [f["person_id"] for f in listed] == [ana]
    events = checked(await collect(watcher, 4)) + checked(await drain(watcher))
    ratings = [d.benefit_rating for k, d in events if isinstance(d, FeedbackSubmitted)]
    wishes = [(d.interest, d.practice_area) for k, d in events if isinstance(d, InterestExpressed)]
    assert ratings == [3, 5]
    assert wishes == [("peer_support", None), ("peer_supervision", "justice")]  # each wish announced once
