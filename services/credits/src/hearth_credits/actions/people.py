"""Erasing a person's details: the ledger (by opaque id) stays, as regulators require."""

from __future__ import annotations

import uuid

from hearth_shared.contracts.catalogue import PersonErasureRequested
from hearth_shared.messaging import Work, erase_person

from .. import store


async def erase(work: Work, request: PersonErasureRequested) -> list[uuid.UUID]:
    """Blank the person's name and email and keep a tombstone of the address, so attendance
    published before the request cannot bring them back; return the ids erased."""
    erased = await store.people.erase(work.conn, str(request.email), request.requested_at)
    await store.erasure.forget_free_text(work.conn, erased)
    await erase_person(work, str(request.email), erased)  # the kit's outbox and parking queue
    return erased
