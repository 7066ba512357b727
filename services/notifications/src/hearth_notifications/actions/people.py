"""People: the register's newer name and language, and erasure on request."""

from __future__ import annotations

from hearth_shared.contracts.catalogue import MemberUpserted, PersonErasureRequested
from hearth_shared.messaging import Work, erase_person

from ..store import people


async def update_member(work: Work, member: MemberUpserted) -> None:
    """The membership register speaks of addresses, not person ids."""
    await people.update_by_email(work.conn, str(member.email), member.name, member.preferred_language)


async def erase(work: Work, request: PersonErasureRequested) -> int:
    """Forget a person's details (their delivery log keeps the facts, not the content) and keep
    tombstones so no later event brings them back; return how many person ids were erased."""
    erased = await people.erase(work.conn, str(request.email), request.requested_at)
    await erase_person(work, str(request.email))  # the kit's outbox and parking queue
    return erased
