"""What the SMTP server said about one sent delivery, recorded as soon as it said it (in its own
transaction): accepted, marked sent; refused for good (a 5xx to RCPT or DATA, an email that
cannot be built, or a transient trouble past the retry budget), failed; otherwise rescheduled
with a growing delay. Each outcome is published as NotificationDelivered or NotificationFailed.
Every write names the sender's lease token: a sender that lost its lease changes nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import structlog

from hearth_shared.messaging import Work

from .. import events
from ..domain import sending
from ..domain.sending import Refusal
from ..store import deliveries
from ..store.deliveries import SendingRow

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Settling:
    """Who settles (the sender's lease token) and the retry rules it applies."""

    owner: uuid.UUID
    retry_budget: timedelta
    now: datetime


async def settle(work: Work, row: SendingRow, refusal: Refusal | None, how: Settling) -> bool:
    """Record one outcome and publish it (with the delivery's correlation id); False when this
    sender no longer held the delivery (its lease was taken over: the new holder decides)."""
    announcing = replace(work, correlation_id=row.correlation_id)
    if refusal is None:
        at = await deliveries.mark_sent(work.conn, row.id, how.owner)
        if at is not None:
            await announcing.publish(events.delivered(row, at))
        return at is not None
    attempts = row.attempts + 1
    context = {"correlation_id": row.correlation_id, "delivery_id": str(row.id), "attempts": attempts}
    logged = sending.without_address(refusal.reason, row.to_address)
    if sending.gives_up(refusal, row.created_at, how.now, how.retry_budget):
        reason = sending.storable_reason(refusal.reason)
        if not await deliveries.mark_failed(work.conn, row.id, how.owner, reason):
            return False
        log.error("email failed", reason=logged, phase=str(refusal.phase), **context)
        await announcing.publish(events.failed(row, attempts, reason))
        return True
    delay = _delay(refusal, attempts)
    held = await deliveries.reschedule(
        work.conn, row.id, how.owner, sending.storable_reason(refusal.reason), delay
    )
    if held:
        log.warning("email deferred", reason=logged, phase=str(refusal.phase), retry_in=delay, **context)
    return held


async def settle_sent(work: Work, rows: list[SendingRow], how: Settling) -> set[uuid.UUID]:
    """`settle` for emails the server accepted, in one statement, each published with its own
    correlation id; the ids this sender still held (the others' new holder decides)."""
    if not rows:
        return set()
    sent = await deliveries.mark_all_sent(work.conn, [r.id for r in rows], how.owner)
    for row in rows:
        if row.id in sent:
            await replace(work, correlation_id=row.correlation_id).publish(
                events.delivered(row, sent[row.id])
            )
    return set(sent)


def _delay(refusal: Refusal, attempts: int) -> float:
    """An email refused because sending paused is due again as soon as sending resumes (the
    pause itself waits); one refused on its own waits longer each time."""
    if sending.verdict(refusal) is sending.Verdict.PAUSE:
        return 0.0
    return sending.retry_delay_seconds(attempts)
