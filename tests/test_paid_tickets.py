"""Paid tickets (issue 13), against a real registration process, broker and database: a ticket
with a price is held awaiting payment; the payment system's PaymentReceived (or staff) confirms it;
an unpaid hold expires and its seat goes to the waiting list; a payment that cannot apply is parked
with its reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import CloudEvent, new_event
from hearth_shared.contracts.catalogue import (
    PaymentReceived,
    RegistrationCancelled,
    TicketConfirmed,
    TicketPurchased,
    WaitlistOffered,
)
from hearth_shared.messaging import Names
from hearth_shared.messaging.parking import Parked, list_parked
from hearth_testing.broker import checked, collect, drain, publish_event, watch
from hearth_testing.builders import person
from hearth_testing.fixtures import StartService
from hearth_testing.waiting import eventually

from .helpers import schedule_gathering

PRICE = 4500
PRICED = [{"kind": "free", "price_cents": 0}, {"kind": "non_member", "price_cents": PRICE}]


def non_member() -> dict[str, Any]:
    return person() | {
        "ticket_type": "non_member",
        "profession": "Social worker",
        "regulatory_body": "Ontario College of Social Workers and Social Service Workers",
        "region": "Ontario",
        "attests_regulated_profession": True,
    }


async def buy(client: httpx.AsyncClient, gathering_id: str, body: dict[str, Any], expect: int = 201) -> Any:
    response = await client.post(f"/gatherings/{gathering_id}/tickets", json=body)
    assert response.status_code == expect, response.text
    return response.json()


def payment(ticket_id: str, amount: int = PRICE, reference: str | None = None) -> CloudEvent[PaymentReceived]:
    received = PaymentReceived(
        ticket_id=uuid.UUID(ticket_id),
        amount_cents=amount,
        currency="CAD",
        reference=reference or f"pay-{uuid.uuid4().hex[:10]}",
        paid_at=datetime.now(UTC),
    )
    return new_event(received, source="/payments")


async def ticket_status(client: httpx.AsyncClient, ticket_id: str) -> dict[str, Any]:
    return dict((await client.get(f"/tickets/{ticket_id}")).json())


async def test_a_priced_ticket_is_held_and_a_payment_on_the_broker_confirms_it_once(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    registration = await start_service("registration")
    names = Names(name_prefix, "registration")
    watcher = await watch(amqp, names, TicketPurchased, TicketConfirmed)
    gathering_id = await schedule_gathering(registration, ticket_types=PRICED)
    async with registration.client("public") as public:
        held = await buy(public, gathering_id, non_member())
        marker = await buy(public, gathering_id, non_member())
    ticket_id = held["ticket_id"]
    assert (held["status"], held["ticket"]["status"]) == ("awaiting_payment", "awaiting_payment")
    assert held["hold_expires_at"] is not None
    [(_, purchased), _] = checked(await collect(watcher, 2))
    assert isinstance(purchased, TicketPurchased)
    assert (purchased.status, purchased.gathering.join_url) == ("awaiting_payment", None)
    assert purchased.hold_expires_at is not None

    paid = payment(ticket_id, reference="psp-7781")
    await publish_event(amqp, names, paid)
    async with registration.client() as staff:
        confirmed = await eventually(
            lambda: ticket_status(staff, ticket_id), lambda t: t["status"] == "active", timeout=15
        )
        # The same event again (a redelivery), and the same payment under a new event id (the
        # payment system retrying): neither changes anything. A later payment for another
        # ticket, on the same queue, shows they were consumed.
        await publish_event(amqp, names, paid)
        await publish_event(amqp, names, payment(ticket_id, reference="psp-7781"))
        await publish_event(amqp, names, payment(marker["ticket_id"]))
        await eventually(
            lambda: ticket_status(staff, marker["ticket_id"]), lambda t: t["status"] == "active", timeout=15
        )
        again = await ticket_status(staff, ticket_id)

    assert confirmed["join_url"] == "https://video.example.org/j/quarterly"
    assert (confirmed["payment_method"], confirmed["payment_reference"]) == ("payment_system", "psp-7781")
    assert again == confirmed
    news = checked(await collect(watcher, 2)) + checked(await drain(watcher))
    assert [(kind, str(data.ticket_id)) for kind, data in news] == [
        ("ticket_confirmed", ticket_id),
        ("ticket_confirmed", marker["ticket_id"]),
    ]
    first = news[0][1]
    assert isinstance(first, TicketConfirmed)
    assert (first.amount_cents, first.currency, first.method) == (PRICE, "CAD", "payment_system")
    assert first.gathering is not None
    assert first.gathering.join_url is not None
    assert not [p for p in await list_parked(amqp, names) if ticket_id in p.body]


async def test_an_unpaid_hold_expires_and_its_seat_goes_to_the_waiting_list(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    registration = await start_service(
        "registration", payment_hold_minutes=0.05, offer_expiry_poll_seconds=0.2
    )
    names = Names(name_prefix, "registration")
    watcher = await watch(amqp, names, RegistrationCancelled, WaitlistOffered)
    gathering_id = await schedule_gathering(registration, capacity=1, ticket_types=PRICED)
    async with registration.client("public") as public:
        held = await buy(public, gathering_id, non_member())
        waiting = await buy(public, gathering_id, non_member(), expect=202)
        entry_id = waiting["waitlist_entry"]["id"]
        assert (waiting["status"], waiting["position"]) == ("waitlisted", 1)

        entry = await eventually(
            lambda: public.get(f"/waitlist/{entry_id}"),
            lambda r: r.json()["status"] == "offered",
            timeout=20,
        )
        ticket = await ticket_status(public, held["ticket_id"])
        accepted = await public.post(f"/waitlist/{entry_id}/accept")

    assert ticket["status"] == "expired"
    assert entry.json()["offer_expires_at"] is not None
    # The seat passed on: the one who waited holds it now (held awaiting payment in turn).
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["status"] == "awaiting_payment"
    events = checked(await collect(watcher, 2))
    assert [kind for kind, _ in events] == ["registration_cancelled", "waitlist_offered"]
    cancelled = events[0][1]
    assert isinstance(cancelled, RegistrationCancelled)
    assert (str(cancelled.ticket_id), cancelled.reason) == (held["ticket_id"], "hold_expired")


async def test_a_payment_that_cannot_apply_is_parked_with_its_reason(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    registration = await start_service("registration")
    names = Names(name_prefix, "registration")
    gathering_id = await schedule_gathering(registration, ticket_types=PRICED)
    async with registration.client("public") as public:
        held = await buy(public, gathering_id, non_member())
    unknown, short = str(uuid.uuid4()), held["ticket_id"]
    await publish_event(amqp, names, payment(unknown))
    await publish_event(amqp, names, payment(short, amount=PRICE - 500, reference="psp-short"))

    async def parked() -> list[Parked]:
        return [p for p in await list_parked(amqp, names) if unknown in p.body or "psp-short" in p.body]

    found = await eventually(parked, lambda got: len(got) == 2, timeout=15)
    reasons = {("unknown" if unknown in p.body else "short"): (p.reason, p.handler, p.detail) for p in found}
    assert reasons["unknown"][:2] == ("unknown_ticket", "on_payment_received")
    assert reasons["short"][:2] == ("amount_mismatch", "on_payment_received")
    assert "paid 4000 CAD, the ticket costs 4500 CAD" in reasons["short"][2]
    async with registration.client() as staff:
        assert (await ticket_status(staff, short))["status"] == "awaiting_payment"


async def test_staff_mark_a_held_ticket_paid_and_who_did_it_is_kept(start_service: StartService) -> None:
    registration = await start_service("registration")
    gathering_id = await schedule_gathering(registration, ticket_types=PRICED)
    coordinator = uuid.uuid4()
    async with registration.client("public") as public:
        held = await buy(public, gathering_id, non_member())
        free = await buy(public, gathering_id, person() | {"ticket_type": "free"})
        by_public = await public.post(f"/tickets/{held['ticket_id']}/payment", json={"method": "card"})
    path = f"/tickets/{held['ticket_id']}/payment"
    async with registration.client("viewer") as viewer:
        by_viewer = await viewer.post(path, json={"method": "e_transfer"})
    async with registration.client("coordinator", staff_id=coordinator) as staff:
        marked = await staff.post(path, json={"method": "e_transfer", "reference": "ET-20271"})
        repeat = await staff.post(path, json={"method": "e_transfer", "reference": "ET-20271"})
        twice = await staff.post(path, json={"method": "at_door"})
        unknown_method = await staff.post(path, json={"method": "cheque"})
        listed = (await staff.get(f"/gatherings/{gathering_id}/registrants")).json()

    assert (free["status"], free["hold_expires_at"]) == ("confirmed", None)
    assert (by_public.status_code, by_viewer.status_code) == (403, 403)
    assert marked.status_code == 200, marked.text
    ticket = marked.json()
    assert (ticket["status"], ticket["payment_method"], ticket["paid_recorded_by"]) == (
        "active",
        "e_transfer",
        str(coordinator),
    )
    assert ticket["hold_expires_at"] is None
    assert repeat.json() == ticket
    assert (twice.status_code, twice.json()["errors"][0]["code"]) == (409, "already_paid")
    assert unknown_method.status_code == 422
    assert sorted(r["status"] for r in listed) == ["active", "active"]
