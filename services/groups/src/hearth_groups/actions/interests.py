"""The interest pool: interest expressed (from feedback, or through the API) and withdrawn."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from hearth_shared.messaging import Work

from ..domain.errors import Forbidden, NotFound
from ..domain.visibility import Actor
from ..store import interests
from ..store.interests import InterestRow, NewInterest
from .access import require_person


async def express(work: Work, entries: Sequence[NewInterest]) -> int:
    """Add to the pool (a person already waiting for the same kind and topic keeps one entry,
    with the earliest time)."""
    first: dict[tuple[uuid.UUID, str, str], NewInterest] = {}
    for entry in sorted(entries, key=lambda e: e.interest):
        first.setdefault((entry.interest.person_id, entry.interest.kind, entry.interest.topic), entry)
    return await interests.add(work.conn, list(first.values()))


async def express_own(work: Work, entry: NewInterest, actor: Actor) -> InterestRow:
    """A person's own interest through the API (staff may enter anyone's)."""
    if not actor.is_staff and require_person(actor) != entry.interest.person_id:
        raise Forbidden("a person expresses their own interest (staff may enter anyone's)", "person_id")
    await interests.add(work.conn, [entry])
    row = await interests.open_entry(
        work.conn, entry.interest.person_id, entry.interest.kind, entry.interest.topic
    )
    assert row is not None, "just added"
    return row


async def withdraw(work: Work, interest_id: uuid.UUID, actor: Actor) -> None:
    row = await interests.get(work.conn, interest_id)
    if row is None or (not actor.is_staff and row.interest.person_id != actor.person_id):
        raise NotFound("no such interest", "interest_id")
    if not await interests.withdraw(work.conn, interest_id):
        raise NotFound("that interest is no longer in the pool", "interest_id")
