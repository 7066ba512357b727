"""People: the register's newer name and language; erasure on request."""

from __future__ import annotations

import structlog

from hearth_shared.contracts.catalogue import MemberUpserted, PersonErasureRequested
from hearth_shared.messaging import HandlerContext, handles

from ..actions import people

log = structlog.get_logger(__name__)


@handles(MemberUpserted)
async def on_member_upserted(ctx: HandlerContext, member: MemberUpserted) -> None:
    await people.update_member(ctx, member)


@handles(PersonErasureRequested, name="on_erasure")
async def on_person_erasure_requested(ctx: HandlerContext, request: PersonErasureRequested) -> None:
    erased = await people.erase(ctx, request)
    log.info("person erased", recipients=erased)
