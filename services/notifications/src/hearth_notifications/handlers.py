"""Notifications' reactions: each event a person should hear about becomes a delivery row."""

from __future__ import annotations

import structlog

from hearth_shared.contracts.catalogue import TicketPurchased
from hearth_shared.messaging import HandlerContext, handles

from . import domain, store

log = structlog.get_logger(__name__)


@handles(TicketPurchased)
async def on_ticket_purchased(ctx: HandlerContext, ticket: TicketPurchased) -> None:
    """Confirm the ticket to its holder, in their language."""
    email = domain.ticket_confirmation(
        ticket.gathering, ticket.attendee.name, ticket.attendee.email, ticket.attendee.language
    )
    if await store.add_delivery(
        ctx.conn, email, source_event_id=ctx.event.id, correlation_id=ctx.event.correlationid
    ):
        log.info("ticket confirmation queued", language=email.language)


HANDLERS = [on_ticket_purchased]
