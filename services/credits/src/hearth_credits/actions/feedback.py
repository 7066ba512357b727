"""Recording that a person sent a gathering's feedback form."""

from __future__ import annotations

import uuid

from hearth_shared.messaging import Work

from .. import store
from ..domain.cycles import CycleRule
from . import ledger


async def record(work: Work, activity_id: uuid.UUID, person_id: uuid.UUID, rule: CycleRule) -> None:
    """Feedback may be what a certificate was waiting for."""
    await store.activities.lock(work.conn, [activity_id])
    await store.feedback.record(work.conn, activity_id, person_id)
    await ledger.reconcile(work, [(activity_id, person_id)], rule)
