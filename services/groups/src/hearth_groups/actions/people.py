"""People as groups knows them: opaque ids, the digest that lets erasure find them, erasure."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from hearth_shared.messaging import Work, erase_person

from .. import events
from ..domain.erasure import email_digest
from ..store import groups, interests, meetings, people, proposals


async def learn(work: Work, known: Sequence[tuple[str, uuid.UUID]]) -> None:
    """Remember which person an email names (as a digest), for erasure requests."""
    await people.remember(work.conn, [(email_digest(email), person_id) for email, person_id in known])


async def erase(work: Work, email: str) -> int:
    """The person leaves every group (GroupMemberLeft), their interest, places, attendance and
    proposals' entries go; groups keep the size they formed with, meetings their attendance count."""
    erased = await people.forget(work.conn, email_digest(email))
    for person_id in erased:
        for group_id in await groups.erase_person(work.conn, person_id):
            await work.publish(events.left(group_id, person_id))
        await interests.erase_person(work.conn, person_id)
        await meetings.erase_person(work.conn, person_id)
        await proposals.erase_person(work.conn, person_id)
    await erase_person(work, email, erased)  # the kit's outbox and parking queue
    return len(erased)
