"""Registration's reactions to events from other systems."""

from __future__ import annotations

from hearth_shared.contracts.catalogue import MemberUpserted
from hearth_shared.messaging import HandlerContext, handles

from . import store


@handles(MemberUpserted)
async def on_member_upserted(ctx: HandlerContext, member: MemberUpserted) -> None:
    """Keep the person record in step with the association's membership register."""
    await store.upsert_member(ctx.conn, member)


HANDLERS = [on_member_upserted]
