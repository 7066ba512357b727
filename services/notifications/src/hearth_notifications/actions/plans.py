"""Planned sends (reminders, feedback requests) fired when their instant comes; they are planned
with their gathering or group meeting (actions.gatherings, actions.groups). Each due plan is
claimed with FOR UPDATE SKIP LOCKED and marked fired in the transaction that writes its
deliveries, so with several replicas each plan fires exactly once."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import structlog

from hearth_shared.messaging import Work

from ..domain import emails
from ..domain.plans import source_of_plan
from ..domain.rendering import Email
from ..store import gatherings, groups, people, plans
from ..store.plans import PlanRow
from .deliveries import answering, links_of, send

log = structlog.get_logger(__name__)


async def fire_due(work: Work, now: datetime, *, limit: int) -> int:
    """Fire the plans due at `now` (up to `limit`); return how many fired. Each plan's deliveries
    answer the plan (their source and correlation id)."""
    due = await plans.claim_due(work.conn, now, limit)
    for row in due:
        found = await _emails(work, row)
        source = source_of_plan(row.subject_id, row.plan)
        with structlog.contextvars.bound_contextvars(correlation_id=source):
            await send(answering(work, source), found)
            await plans.mark_fired(work.conn, row, now)
            log.info("plan fired", template=row.plan.template, emails=len(found))
    return len(due)


async def _emails(work: Work, row: PlanRow) -> list[Email]:
    if row.plan.template == "group_meeting_reminder":
        return await _meeting_reminders(work, row)
    stored = await gatherings.gathering(work.conn, row.subject_id)
    if stored is None:
        return []
    if row.plan.template == "feedback_request":
        attended = await people.find(work.conn, await gatherings.attended(work.conn, row.subject_id))
        return [
            emails.feedback_request(to, row.subject_id, stored.gathering.title, links_of(work))
            for to in attended.values()
        ]
    links = links_of(work)
    holders = await gatherings.ticket_holders(work.conn, row.subject_id)
    found = await people.find(work.conn, [h.person_id for h in holders])
    return [
        emails.reminder(
            to,
            replace(stored.gathering, join_url=holder.gathering.join_url),
            row.plan.lead,
            links,
            holder.ticket_id,
        )
        for holder in holders
        if (to := found.get(holder.person_id)) is not None
    ]


async def _meeting_reminders(work: Work, row: PlanRow) -> list[Email]:
    meeting = await groups.meeting(work.conn, row.subject_id)
    if meeting is None:
        return []
    found = await people.find(work.conn, await groups.members(work.conn, meeting.group_id))
    links = links_of(work)
    return [emails.group_meeting_reminder(to, meeting.meeting, row.plan.lead, links) for to in found.values()]
