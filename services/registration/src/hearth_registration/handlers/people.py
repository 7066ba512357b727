"""A person's right to erasure: their details leave registration; their tickets and attendance
stay, pseudonymised (credits' record by person id depends on them)."""

from __future__ import annotations

import structlog

from hearth_shared.contracts.catalogue import PersonErasureRequested
from hearth_shared.messaging import HandlerContext, handles

from ..actions import people

log = structlog.get_logger(__name__)


@handles(PersonErasureRequested)
async def on_person_erasure_requested(ctx: HandlerContext, request: PersonErasureRequested) -> None:
    """Pseudonymise the person and keep a tombstone, so the register cannot bring them back."""
    erased = await people.erase(ctx, request)
    log.info("person erased", person_id=str(erased) if erased else None)
