"""Each person's preferences: what they opted out of, and group activity once a day."""

from __future__ import annotations

import uuid

from hearth_shared.db import Connection
from hearth_shared.messaging import Work

from ..domain.errors import UnknownPerson
from ..domain.preferences import Preferences
from ..store import people


async def known(conn: Connection, person_id: uuid.UUID) -> None:
    """Only people some event has named have preferences here."""
    if not await people.find(conn, [person_id]):
        raise UnknownPerson("no person with this id has been heard of here")


async def choose(work: Work, person_id: uuid.UUID, chosen: Preferences) -> None:
    """Replace a person's choices."""
    await known(work.conn, person_id)
    await people.set_preferences(work.conn, person_id, chosen)
