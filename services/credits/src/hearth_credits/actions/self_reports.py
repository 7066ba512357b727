"""Self-reported activities: a person submits one, staff decide on it (an approval awards its
hours)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from hearth_shared.messaging import Work

from .. import domain, events, store
from ..domain.cycles import CycleRule
from ..domain.self_reports import SelfReport


async def submit(
    work: Work,
    person_id: uuid.UUID,
    *,
    title: str,
    category: str,
    hours: Decimal,
    activity_date: date,
    evidence: str,
    by: uuid.UUID,
) -> SelfReport:
    """An activity outside Hearth (a course, reading, supervision), for staff to decide on;
    `by`: the staff member entering it."""
    return await store.self_reports.insert(
        work.conn, person_id, title, category, hours, activity_date, evidence, by
    )


async def decide(
    work: Work, report_id: uuid.UUID, *, approved: bool, reason: str | None, rule: CycleRule, by: uuid.UUID
) -> SelfReport:
    """Approve (the hours enter the ledger) or reject with a reason, as staff member `by`; raises
    `domain.self_reports.SelfReportRefused` when the decision cannot be made."""
    domain.self_reports.require_reason(approved, reason)
    report = await store.self_reports.lock(work.conn, report_id)
    status = domain.self_reports.decision(report, report_id, approved)
    decided = await store.self_reports.decide(work.conn, report_id, status, reason, datetime.now(UTC), by)
    if approved:
        award = domain.self_reports.award(decided, rule)
        await store.ledger.append(work.conn, [award])
        await work.publish(events.credits_awarded(award))
    return decided
