"""Ticket news, a batch at a time: holders and tickets remembered and each confirmation (with the
calendar invitation) or hold awaiting payment, cancellation or hold expiry, waitlist email and
payment confirmation written, one statement per table for the whole batch (ticket sales come in
bursts)."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import replace
from typing import Any

from hearth_shared.contracts import CloudEvent
from hearth_shared.contracts.catalogue import RegistrationCancelled, TicketConfirmed, TicketPurchased
from hearth_shared.messaging import Work
from hearth_shared.signed_links import SignedLinks
from hearth_shared.tracing import traceparent_of

from ..domain import emails
from ..domain.people import Person, person_of
from ..domain.rendering import Email
from ..store import gatherings, people
from ..store.gatherings import TicketRow
from .deliveries import Outgoing, dispatch, links_of


async def record_news(work: Work, news: list[CloudEvent[Any]]) -> None:
    """Remember the people and tickets the events name, then write every email of the batch. A
    ticket bought for a gathering cancelled meanwhile (its news came first on the other queue)
    ends at once, and its holder gets the cancellation, not a confirmation."""
    named = [e for e in news if not isinstance(e.data, TicketConfirmed)]
    bought = [e.data for e in named if isinstance(e.data, TicketPurchased)]
    await gatherings.lock(work.conn, [t.gathering.gathering_id for t in bought], shared=True)
    called_off = await gatherings.cancelled(work.conn, [t.gathering.gathering_id for t in bought])
    await people.remember(
        work.conn, [person_of(e.data.attendee) for e in named], known_at=[e.time for e in named]
    )
    await gatherings.add_tickets(
        work.conn,
        [
            TicketRow(e.data.ticket_id, e.data.attendee.person_id, e.data.gathering)
            for e in named
            if isinstance(e.data, TicketPurchased)
        ],
    )
    await gatherings.cancel_tickets(
        work.conn,
        [e.data.ticket_id for e in named if isinstance(e.data, RegistrationCancelled)]
        + [t.ticket_id for t in bought if t.gathering.gathering_id in called_off],
    )
    chosen = await people.preferences(work.conn, [e.data.attendee.person_id for e in named])
    links = links_of(work)
    written = []
    for event in named:
        to = person_of(event.data.attendee)
        language = chosen[to.person_id].language if to.person_id in chosen else None
        to = replace(to, language=language or to.language)  # the language the person chose, if any
        email = _news(event.data, to, links, int(event.time.timestamp()), called_off)
        written.append(Outgoing(email, event.id, event.correlationid, traceparent_of(event)))
        # Rendering takes about a millisecond an email: let the mail sender's SMTP replies
        # in between, rather than holding the event loop for a whole batch.
        await asyncio.sleep(0)
    written += await _paid(work, [e for e in news if isinstance(e.data, TicketConfirmed)])
    await dispatch(work, written)


def _news(
    data: Any, to: Person, links: SignedLinks, sequence: int, called_off: dict[uuid.UUID, str | None]
) -> Email:
    """The email a ticket's news becomes: for a purchase whose gathering is cancelled, the cancellation."""
    gathering_id = data.gathering.gathering_id
    if isinstance(data, TicketPurchased) and gathering_id in called_off:
        reason = called_off[gathering_id]
        return emails.gathering_cancelled(to, data.gathering, reason, links, sequence=sequence)
    return emails.ticket_news(data, to, links, sequence=sequence)


async def resend_confirmations(
    work: Work, ticket_ids: list[uuid.UUID], *, by: uuid.UUID
) -> tuple[int, list[uuid.UUID]]:
    """Each ticket's confirmation written again (staff member `by` resends them in bulk:
    registration says which are confirmed) to the holder's current address, with the gathering as
    the ticket last showed it; how many were written, and the tickets with nobody to write to
    (unknown here, cancelled, or the holder erased)."""
    found = await gatherings.tickets(work.conn, ticket_ids)
    holders: dict[Any, Person] = await people.find(work.conn, [t.person_id for t in found.values()])
    links, request = links_of(work), uuid.uuid4()
    written, skipped = [], []
    for ticket_id in ticket_ids:
        ticket = found.get(ticket_id)
        to = holders.get(ticket.person_id) if ticket else None
        if ticket is None or to is None:
            skipped.append(ticket_id)
            continue
        email = emails.ticket_paid(
            to, ticket_id, ticket.gathering, links, sequence=int(time.time()), template="ticket_confirmation"
        )
        # A source of its own per request and ticket: a resend is a new email, never deduplicated
        # against the first confirmation (or another resend).
        written.append(Outgoing(email, f"resend:{request}:{ticket_id}", work.correlation_id, resent_by=by))
    await dispatch(work, written)
    return len(written), skipped


async def _paid(work: Work, confirmed: list[CloudEvent[Any]]) -> list[Outgoing]:
    """A held ticket paid: its holder hears it is confirmed, with the gathering as the event now
    shows it (the join link comes only with a confirmed seat), which the ticket keeps for the
    reminders. A ticket not known here, or cancelled meanwhile, has nobody to tell."""
    if not confirmed:
        return []
    named = [e for e in confirmed if e.data.attendee is not None]
    await people.remember(
        work.conn, [person_of(e.data.attendee) for e in named], known_at=[e.time for e in named]
    )
    shown = {e.data.ticket_id: e.data.gathering for e in confirmed if e.data.gathering is not None}
    await gatherings.update_snapshots(work.conn, shown)
    found = await gatherings.tickets(work.conn, [e.data.ticket_id for e in confirmed])
    holders: dict[Any, Person] = await people.find(work.conn, [t.person_id for t in found.values()])
    links = links_of(work)
    written = []
    for event in confirmed:
        ticket = found.get(event.data.ticket_id)
        to = holders.get(ticket.person_id) if ticket else None
        if ticket is None or to is None:
            continue
        sequence = int(event.time.timestamp())
        email = emails.ticket_paid(to, ticket.ticket_id, ticket.gathering, links, sequence=sequence)
        written.append(Outgoing(email, event.id, event.correlationid, traceparent_of(event)))
    return written
