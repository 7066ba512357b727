"""A ticket names a person by id and email: groups keeps only a digest of the email beside the id,
so that an erasure request (which names the person by email) can find them here."""

from __future__ import annotations

from typing import Any

from hearth_shared.contracts import CloudEvent
from hearth_shared.contracts.catalogue import TicketPurchased
from hearth_shared.messaging import Work, handles_batch

from ..actions import people


@handles_batch(TicketPurchased)
async def on_ticket_purchased(ctx: Work, events: list[CloudEvent[Any]]) -> None:
    known = {(str(e.data.attendee.email), e.data.attendee.person_id) for e in events}
    await people.learn(ctx, sorted(known))
