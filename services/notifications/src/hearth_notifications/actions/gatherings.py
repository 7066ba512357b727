"""Gatherings as registration announces them: the read model kept current, reminders and the
feedback request planned (moved when the gathering moves, dropped when it is cancelled), and
ticket holders told about real changes and cancellations."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from hearth_shared.contracts.catalogue import GatheringCancelled, GatheringScheduled, GatheringUpdated
from hearth_shared.messaging import Work

from ..domain import emails
from ..domain.gatherings import changed_noticeably, noticeable
from ..domain.plans import gathering_plans
from ..domain.rendering import Email
from ..store import gatherings, people, plans
from .deliveries import links_of, send


async def announce(
    work: Work,
    gathering: GatheringScheduled,
    *,
    reminders: list[timedelta],
    feedback_after: timedelta,
    now: datetime,
    sequence: int,
) -> None:
    """Remember the gathering as announced and plan its sends; tell ticket holders when an update
    changes what they would notice. A gathering announced as cancelled only drops its plans. An
    older revision than the one held (retried late), or anything after the cancellation, changes
    nothing."""
    await gatherings.lock(work.conn, [gathering.gathering_id])
    before = await gatherings.gathering(work.conn, gathering.gathering_id)
    details = noticeable(gathering)
    saved = await gatherings.save_gathering(
        work.conn, gathering.gathering_id, details, gathering.status, gathering.revision
    )
    if not saved:
        return
    if gathering.status == "cancelled":
        await plans.drop(work.conn, gathering.gathering_id)
        return
    planned = gathering_plans(gathering.starts_at, gathering.ends_at, reminders, feedback_after)
    await plans.replan(work.conn, gathering.gathering_id, planned, now)
    if isinstance(gathering, GatheringUpdated) and changed_noticeably(
        before.details if before else None, details
    ):
        await _tell_holders(work, gathering.gathering_id, gathering, None, sequence)


async def cancel(work: Work, cancelled: GatheringCancelled, *, sequence: int) -> None:
    """Drop the gathering's plans and tell its ticket holders (the invitation cancels the entry);
    the cancellation stands for good, and their tickets end."""
    gathering_id = cancelled.gathering_id
    await gatherings.lock(work.conn, [gathering_id])
    await gatherings.save_cancellation(work.conn, gathering_id, cancelled.reason, cancelled.revision)
    await plans.drop(work.conn, gathering_id)
    await _tell_holders(work, gathering_id, None, cancelled.reason, sequence)
    await gatherings.end_tickets(work.conn, gathering_id)


async def _tell_holders(
    work: Work,
    gathering_id: uuid.UUID,
    now: GatheringScheduled | None,
    reason: str | None,
    sequence: int,
) -> None:
    """Each ticket holder's email: the update (`now`), or the cancellation."""
    holders = await gatherings.ticket_holders(work.conn, gathering_id)
    found = await people.find(work.conn, [h.person_id for h in holders])
    told: list[Email] = []
    for holder in holders:
        if (to := found.get(holder.person_id)) is None:
            continue
        if now is None:
            told.append(
                emails.gathering_cancelled(to, holder.gathering, reason, links_of(work), sequence=sequence)
            )
        else:
            told.append(
                emails.gathering_updated(
                    to, now, holder.gathering, links_of(work), sequence=sequence, ticket_id=holder.ticket_id
                )
            )
    await send(work, told)
