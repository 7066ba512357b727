"""People as the membership register knows them, and their erasure on request."""

from __future__ import annotations

import uuid

from hearth_shared.contracts.catalogue import MemberUpserted, PersonErasureRequested
from hearth_shared.messaging import Work, erase_person

from .. import store


async def apply_member(work: Work, member: MemberUpserted) -> None:
    """Keep the person record in step with the register (an older record changes nothing, and
    neither does any record of a person erased at their request)."""
    if await store.erasure.is_erased(work.conn, str(member.email), member.member_id):
        return
    await store.people.upsert_member(work.conn, member)


async def erase(work: Work, request: PersonErasureRequested) -> uuid.UUID | None:
    """Pseudonymise the person the request names and keep a tombstone of the request; return
    their id (None: registration never knew them, the tombstone is kept all the same). The kit's
    outbox, parking queue and the shared unrouted queue (registration's to do) lose them too."""
    erased = await store.erasure.erase(work.conn, str(request.email), request.member_id, request.requested_at)
    await erase_person(work, str(request.email), [erased] if erased else [], unrouted=True)
    return erased
