"""Recording attendance. It arrives in backlogs (a report imported after a gathering, a platform's
export), so a whole batch is recorded at once, with one statement per table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hearth_shared.contracts import CloudEvent
from hearth_shared.contracts.catalogue import AttendanceRecorded
from hearth_shared.messaging import Work

from .. import domain, events, store
from ..domain.cycles import CycleRule
from . import ledger


async def record(work: Work, batch: Sequence[CloudEvent[Any]], rule: CycleRule) -> None:
    """Keep each pair's newest attendance, then reconcile the pairs it changed; each change is
    published as a consequence of the record that made it (the newest of its pair)."""
    records: list[AttendanceRecorded] = [e.data for e in batch]
    await store.activities.lock(work.conn, {r.gathering_id for r in records}, shared=True)
    named = [(e.data.attendee, e.time) for e in batch if e.data.attendee]
    await store.people.upsert(
        work.conn, [events.person_of(who) for who, _ in named], known_at=[at for _, at in named]
    )
    attendance = [events.attendance_of(r) for r in records]
    newest = domain.attendance.newest_per_pair(attendance)
    changed = await store.attendance.keep(work.conn, [attendance[i] for i in newest.values()])
    causes = {pair: batch[i] for pair, i in newest.items()}
    attendees = {who.person_id: who for who, _ in named}  # validated: reused for the events
    await ledger.reconcile(work, sorted(changed), rule, causes, attendees)
