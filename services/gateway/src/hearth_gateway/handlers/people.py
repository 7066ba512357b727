"""A person's right to erasure reaches the gateway's audit log (staff's searches by email)."""

from __future__ import annotations

import structlog

from hearth_shared.contracts.catalogue import PersonErasureRequested
from hearth_shared.messaging import HandlerContext, handles

from ..actions import erasure

log = structlog.get_logger(__name__)


@handles(PersonErasureRequested, name="on_erasure")
async def on_person_erasure_requested(ctx: HandlerContext, request: PersonErasureRequested) -> None:
    changed = await erasure.erase(ctx, request)
    log.info("person erased", audit_entries=changed)
