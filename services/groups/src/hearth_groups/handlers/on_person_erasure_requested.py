"""A person's right to erasure: they leave every group and their details go; groups keep counts."""

from __future__ import annotations

import structlog

from hearth_shared.contracts.catalogue import PersonErasureRequested
from hearth_shared.messaging import HandlerContext, handles

from ..actions import people

log = structlog.get_logger(__name__)


@handles(PersonErasureRequested)
async def on_person_erasure_requested(ctx: HandlerContext, request: PersonErasureRequested) -> None:
    erased = await people.erase(ctx, str(request.email))
    log.info("person erased", people=erased)
