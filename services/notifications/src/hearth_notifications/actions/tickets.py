"""Ticket news, a batch at a time: holders and tickets remembered and each confirmation (with the
calendar invitation), cancellation and waitlist email written, one statement per table for the
whole batch (ticket sales come in bursts)."""

from __future__ import annotations

import asyncio
from typing import Any

from hearth_shared.contracts import CloudEvent
from hearth_shared.contracts.catalogue import RegistrationCancelled, TicketPurchased
from hearth_shared.messaging import Work

from ..domain import emails
from ..domain.people import person_of
from ..store import gatherings, people
from ..store.gatherings import TicketRow
from .deliveries import Outgoing, dispatch


async def record_news(work: Work, news: list[CloudEvent[Any]], *, registration_url: str) -> None:
    """Remember the people and tickets the events name, then write every email of the batch."""
    await people.remember(
        work.conn, [person_of(e.data.attendee) for e in news], known_at=[e.time for e in news]
    )
    await gatherings.add_tickets(
        work.conn,
        [
            TicketRow(e.data.ticket_id, e.data.attendee.person_id, e.data.gathering)
            for e in news
            if isinstance(e.data, TicketPurchased)
        ],
    )
    await gatherings.cancel_tickets(
        work.conn, [e.data.ticket_id for e in news if isinstance(e.data, RegistrationCancelled)]
    )
    written = []
    for event in news:
        email = emails.ticket_news(
            event.data, sequence=int(event.time.timestamp()), registration_url=registration_url
        )
        written.append(Outgoing(email, event.id, event.correlationid))
        # Rendering takes about a millisecond an email: let the mail sender's SMTP replies
        # in between, rather than holding the event loop for a whole batch.
        await asyncio.sleep(0)
    await dispatch(work, written)
