"""The digest of group activity (daily or weekly): one email per person gathers what was held for them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from hearth_shared.messaging import Work

from ..domain import emails
from ..domain.digests import source_of_digest
from ..domain.people import Person
from ..store import deliveries, digests, people
from ..store.deliveries import HeldRow
from .deliveries import answering, links_of, send


async def send_digests(work: Work, day: date, *, weekly_due: bool, limit: int = 1000) -> int:
    """Each person's digest for `day` (once a day; a weekly one only on `weekly_due` days), made
    of what is held for them; return how many were made."""
    by_person: dict[uuid.UUID, list[HeldRow]] = defaultdict(list)
    for row in await deliveries.held(work.conn, limit, weekly_due=weekly_due):
        by_person[row.person_id].append(row)
    made = 0
    for person_id, rows in by_person.items():
        if not await digests.claim_day(work.conn, person_id, day):
            continue
        first = rows[0]
        to = (await people.find(work.conn, [person_id])).get(person_id) or Person(
            person_id, "", first.to_address, first.language
        )
        source = source_of_digest(person_id, day)
        await send(
            answering(work, source),
            [emails.group_digest(to, [r.subject for r in rows], links_of(work))],
        )
        await deliveries.mark_digested(work.conn, [r.id for r in rows])
        made += 1
    return made
