"""A person's erasure, as far as the gateway is concerned: the audit entries that quote their
address lose it, and so do the kit's outbox and parking queue."""

from __future__ import annotations

from hearth_shared.contracts.catalogue import PersonErasureRequested
from hearth_shared.messaging import Work, erase_person

from ..store import erasure


async def erase(work: Work, request: PersonErasureRequested) -> int:
    """Return how many audit entries were changed."""
    changed = await erasure.forget_address(work.conn, str(request.email))
    await erase_person(work, str(request.email))
    return changed
