"""Applying retention: one transaction's worth of finished emails blanked and finished plans
deleted."""

from __future__ import annotations

from datetime import datetime

from hearth_shared.messaging import Work

from ..domain.retention import Retention
from ..store import retention


async def apply(work: Work, rules: Retention, now: datetime, *, limit: int) -> int:
    """Blank what is past its time, up to `limit` rows of each kind; return how many rows changed."""
    bodies = await retention.blank_bodies(work.conn, rules.bodies_before(now), limit)
    plans = await retention.drop_finished_plans(work.conn, rules.plans_before(now), limit)
    return bodies + plans
