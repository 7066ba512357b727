"""The membership register's records reach registration's people."""

from __future__ import annotations

from hearth_shared.contracts.catalogue import MemberUpserted
from hearth_shared.messaging import HandlerContext, handles

from ..actions import people


@handles(MemberUpserted)
async def on_member_upserted(ctx: HandlerContext, member: MemberUpserted) -> None:
    """Keep the person record in step with the association's membership register."""
    await people.apply_member(ctx, member)
