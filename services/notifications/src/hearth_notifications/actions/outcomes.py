"""What the SMTP server said about a batch of sent deliveries, recorded in one transaction: the
accepted marked sent, the refused failed for good (a 5xx, or attempts exhausted) or rescheduled
with a growing delay; each outcome published as NotificationDelivered or NotificationFailed."""

from __future__ import annotations

from dataclasses import replace

import structlog

from hearth_shared.messaging import Work

from .. import events
from ..domain import sending
from ..domain.sending import Refusal
from ..store import deliveries
from ..store.deliveries import SendingRow

log = structlog.get_logger(__name__)

Outcome = tuple[SendingRow, Refusal | None]
"""A delivery and what the SMTP server said: None when accepted."""


async def settle(work: Work, outcomes: list[Outcome], max_attempts: int) -> None:
    """Mark what was accepted, defer or fail the rest, and publish each outcome (with its
    delivery's correlation id)."""
    accepted = [row for row, refusal in outcomes if refusal is None]
    sent_at = await deliveries.mark_sent(work.conn, [r.id for r in accepted])
    for row, at in zip(accepted, sent_at, strict=True):
        await replace(work, correlation_id=row.correlation_id).publish(events.delivered(row, at))
    for row, refusal in outcomes:
        if refusal is not None:
            await _refused(work, row, refusal, max_attempts)


async def _refused(work: Work, row: SendingRow, refusal: Refusal, max_attempts: int) -> None:
    """Fail for good (a 5xx, or attempts exhausted) or try again later."""
    attempts = row.attempts + 1
    context = {"correlation_id": row.correlation_id, "delivery_id": str(row.id)}
    if sending.gives_up(refusal, attempts, max_attempts):
        await deliveries.mark_failed(work.conn, row.id, refusal.reason)
        log.error(
            "email failed",
            reason=sending.without_address(refusal.reason, row.to_address),
            attempts=attempts,
            **context,
        )
        failed = events.failed(row, attempts, refusal.reason)
        await replace(work, correlation_id=row.correlation_id).publish(failed)
        return
    delay = sending.retry_delay_seconds(attempts)
    await deliveries.reschedule(work.conn, row.id, refusal.reason, delay)
    logged = sending.without_address(refusal.reason, row.to_address)
    log.warning("email deferred", reason=logged, attempts=attempts, retry_in=delay, **context)
