"""People as the membership register knows them."""

from __future__ import annotations

from hearth_shared.contracts.catalogue import MemberUpserted
from hearth_shared.messaging import Work

from .. import store


async def apply_member(work: Work, member: MemberUpserted) -> None:
    """Keep the person record in step with the register (an older record changes nothing)."""
    await store.people.upsert_member(work.conn, member)
