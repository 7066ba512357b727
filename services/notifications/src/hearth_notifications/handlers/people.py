"""People: the register's newer name and language; erasure on request."""

from __future__ import annotations

import structlog

from hearth_shared.contracts.catalogue import MemberUpserted, PersonErasureRequested
from hearth_shared.messaging import HandlerContext, handles

from ..store import people

log = structlog.get_logger(__name__)


@handles(MemberUpserted)
async def on_member_upserted(ctx: HandlerContext, member: MemberUpserted) -> None:
    await people.update_by_email(ctx.conn, str(member.email), member.name, member.preferred_language)


@handles(PersonErasureRequested)
async def on_erasure(ctx: HandlerContext, request: PersonErasureRequested) -> None:
    erased = await people.erase(ctx.conn, str(request.email))
    log.info("person erased", recipients=erased)


HANDLERS = [on_member_upserted, on_erasure]
