"""Each person's preferences: the categories they opted out of, a digest of group activity, the
language of their emails; and the one-click opt-out of one category (RFC 8058)."""

from __future__ import annotations

import uuid

from hearth_shared.db import Connection
from hearth_shared.messaging import Work

from ..domain.errors import UnknownPerson
from ..domain.preferences import Category, Preferences
from ..store import people


async def known(conn: Connection, person_id: uuid.UUID) -> None:
    """Only people some event has named have preferences here (an erased person is no longer)."""
    if not await people.find(conn, [person_id]):
        raise UnknownPerson("no person with this id has been heard of here")


async def current(conn: Connection, person_id: uuid.UUID) -> Preferences:
    await known(conn, person_id)
    return (await people.preferences(conn, [person_id])).get(person_id, Preferences())


async def choose(work: Work, person_id: uuid.UUID, chosen: Preferences) -> Preferences:
    """Replace a person's choices."""
    await known(work.conn, person_id)
    await people.set_preferences(work.conn, person_id, chosen)
    return chosen


async def unsubscribe(work: Work, person_id: uuid.UUID, category: Category) -> Preferences:
    """Opt out of one category, keeping every other choice; doing it again changes nothing."""
    await known(work.conn, person_id)
    await people.opt_out(work.conn, person_id, str(category))
    return await current(work.conn, person_id)
