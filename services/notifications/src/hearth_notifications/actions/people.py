"""People: the register's newer name and language, and erasure on request."""

from __future__ import annotations

from hearth_shared.contracts.catalogue import MemberUpserted
from hearth_shared.messaging import Work

from ..store import people


async def update_member(work: Work, member: MemberUpserted) -> None:
    """The membership register speaks of addresses, not person ids."""
    await people.update_by_email(work.conn, str(member.email), member.name, member.preferred_language)


async def erase(work: Work, email: str) -> int:
    """Forget a person's details (their delivery log keeps the facts, not the content); return
    how many recipients were erased."""
    return await people.erase(work.conn, email)
