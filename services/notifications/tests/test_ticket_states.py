"""Ticket emails say the ticket's state, written by the ticket handler's action on the real
Postgres: held awaiting payment (no invitation yet), paid (TicketConfirmed: confirmed, with the
invitation, to the holder the purchase named), the hold expired; a TicketConfirmed for a ticket
not known here tells nobody."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from hearth_notifications.actions import tickets
from hearth_notifications.events import SERVICE
from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import RegistrationCancelled, TicketConfirmed
from hearth_shared.messaging import begin
from hearth_testing.builders import gathering_scheduled, person_details, ticket_purchased

pytestmark = pytest.mark.integration


async def test_held_paid_and_expired_tickets_each_get_the_email_of_their_state(
    pool: asyncpg.Pool, correlation_id: str
) -> None:
    g = gathering_scheduled(datetime(2027, 11, 4, 17, 0, tzinfo=UTC), "America/Halifax")
    paying, lapsing = person_details("en"), person_details("fr")
    sold = ticket_purchased(g, paying).gathering  # with the join link: only a confirmed seat has it
    hold = {"status": "awaiting_payment", "hold_expires_at": datetime(2027, 10, 30, 16, 0, tzinfo=UTC)}
    unlinked = sold.model_copy(update={"join_url": None})
    held = [
        ticket_purchased(g, who, price_cents=4500).model_copy(update=hold | {"gathering": unlinked})
        for who in (paying, lapsing)
    ]
    paid = TicketConfirmed(
        ticket_id=held[0].ticket_id, person_id=paying.person_id, gathering_id=g.gathering_id, gathering=sold
    )
    expired = RegistrationCancelled(
        ticket_id=held[1].ticket_id, gathering=held[1].gathering, attendee=lapsing, reason="hold_expired"
    )
    stranger = TicketConfirmed(ticket_id=uuid.uuid4(), person_id=uuid.uuid4(), gathering_id=g.gathering_id)
    events = [new_event(e, source="/hearth/test", correlation_id=correlation_id) for e in held]
    later = [
        new_event(e, source="/hearth/test", correlation_id=correlation_id) for e in (paid, expired, stranger)
    ]
    for batch in (events, later):  # the purchases first, as the ticket queue delivers them
        async with begin(pool, SERVICE, correlation_id) as work:
            await tickets.record_news(work, batch)

    rows = await pool.fetch(
        "SELECT person_id, template, category, subject, body_text, calendar, unsubscribe_url FROM deliveries "
        "WHERE correlation_id = $1 ORDER BY created_at, template",
        correlation_id,
    )
    by = {(r["person_id"], r["template"]): r for r in rows}
    assert sorted(by) == sorted(
        [
            (paying.person_id, "ticket_held"),
            (lapsing.person_id, "ticket_held"),
            (paying.person_id, "ticket_paid"),
            (lapsing.person_id, "hold_expired"),
        ]
    )
    first = by[paying.person_id, "ticket_held"]
    assert "awaiting payment of $45.00" in first["body_text"]
    assert "October 30, 2027" in first["body_text"]  # the hold's expiry, in Halifax time
    assert first["calendar"] is None
    assert by[lapsing.person_id, "ticket_held"]["subject"].startswith("Votre place est réservée")
    confirmed = by[paying.person_id, "ticket_paid"]
    assert confirmed["subject"].startswith("Payment received, your place is confirmed")
    assert confirmed["calendar"] is not None
    assert f"Join online: {sold.join_url}" in confirmed["body_text"]
    assert "Join online" not in first["body_text"]
    kept = await pool.fetchval("SELECT snapshot FROM tickets WHERE ticket_id = $1", held[0].ticket_id)
    assert sold.join_url in kept  # for the reminders
    assert by[lapsing.person_id, "hold_expired"]["subject"].startswith("Votre place réservée a été libérée")
    assert {r["category"] for r in rows} == {"payment"}
    assert {r["unsubscribe_url"] for r in rows} == {None}  # critical: no opt-out
    await pool.execute("DELETE FROM deliveries WHERE correlation_id = $1", correlation_id)
