"""What every notifications handler does: know the person, write the deliveries."""

from __future__ import annotations

from hearth_shared.contracts.catalogue import Attendee
from hearth_shared.messaging import HandlerContext

from ..dispatch import dispatch, outgoing
from ..messages import Email, Recipient


def recipient(attendee: Attendee) -> Recipient:
    return Recipient(attendee.person_id, attendee.name, str(attendee.email), attendee.language)


async def send(ctx: HandlerContext, emails: list[Email]) -> None:
    """Deliveries for this event, once however often it arrives."""
    await dispatch(ctx.conn, outgoing(emails, ctx.event.id, ctx.event.correlationid))
