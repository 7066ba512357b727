"""What credits learns of gatherings: their details and credit policy, or their cancellation —
either applies to everyone who attended."""

from __future__ import annotations

import uuid

from hearth_shared.contracts.catalogue import GatheringScheduled
from hearth_shared.messaging import Work

from .. import events, store
from ..domain.cycles import CycleRule
from . import ledger


async def schedule(work: Work, gathering: GatheringScheduled, rule: CycleRule) -> None:
    """A gathering's snapshot (scheduled or updated): its policy now applies to its attendance —
    unless credits holds a newer revision already (an older snapshot retried late changes nothing)."""
    await store.activities.lock(work.conn, [gathering.gathering_id])
    if await store.activities.upsert(work.conn, events.activity_of(gathering), gathering.revision):
        await _reconcile_everyone(work, gathering.gathering_id, rule)


async def cancel(work: Work, activity_id: uuid.UUID, rule: CycleRule, revision: int | None = None) -> None:
    """A cancelled activity earns nothing: whatever stands for it is reversed."""
    await store.activities.lock(work.conn, [activity_id])
    await store.activities.cancel(work.conn, activity_id, revision)
    await _reconcile_everyone(work, activity_id, rule)


async def _reconcile_everyone(work: Work, activity_id: uuid.UUID, rule: CycleRule) -> None:
    present = await store.attendance.people_present(work.conn, activity_id)
    await ledger.reconcile(work, [(activity_id, person_id) for person_id in present], rule)
