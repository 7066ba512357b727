"""A person's request to be forgotten."""

from __future__ import annotations

from hearth_shared.contracts.catalogue import PersonErasureRequested
from hearth_shared.messaging import HandlerContext, handles

from ..actions import people


@handles(PersonErasureRequested, name="on_erasure")  # the queue's name since the first release
async def on_person_erasure_requested(ctx: HandlerContext, request: PersonErasureRequested) -> None:
    """Remove the person's details; the ledger (by opaque id) stays, as regulators require."""
    await people.erase(ctx, request)
