"""Sends due deliveries over SMTP, on a few long-lived connections, within a send-rate limit.

A batch is leased under this sender's own token (a short lease, renewed while the batch is in
flight). Just before each email the sender checks it still holds it, and records the server's
answer at once, in its own transaction, naming the token: a crash or SIGTERM repeats at most the
one email in flight on each connection, and a second replica never sends an email this one holds.
Building the MIME document is part of each email's attempt, so an email that cannot be built
fails alone. A refusal of the service (connection, AUTH, MAIL FROM) pauses all sending, with
growing waits, and keeps every email queued; only a 5xx to RCPT or DATA fails an email.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid

import asyncpg
import structlog
from aiolimiter import AsyncLimiter
from prometheus_client import CollectorRegistry, Counter, Gauge

from hearth_shared import tracing
from hearth_shared.worker import ClaimLoop

from ..domain import sending
from ..domain.sending import Phase, Refusal, Verdict
from ..settings import NotificationsSettings
from ..store import deliveries
from ..store.deliveries import SendingRow
from .mime import message
from .settlements import Recorded, Settlements
from .smtp import SmtpConnection

log = structlog.get_logger(__name__)


class MailMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.paused = Gauge(
            "hearth_mail_sending_paused", "1 while the SMTP server refuses the service", registry=registry
        )
        self.pauses = Counter(
            "hearth_mail_pauses",
            "Times sending paused, by the SMTP phase refused",
            ["phase"],
            registry=registry,
        )
        self.outcomes = Counter(
            "hearth_mail_outcomes", "Emails settled, by outcome", ["outcome"], registry=registry
        )
        # By template category only (reminders, confirmations...): never an address or a person.
        self.sent = Counter(
            "hearth_emails_sent",
            "Emails the SMTP server accepted, by category",
            ["category"],
            registry=registry,
        )
        self.failed = Counter(
            "hearth_emails_failed",
            "Emails given up for good (refused, unbuildable, or past the retry budget), by category",
            ["category"],
            registry=registry,
        )


class Mailer(ClaimLoop):
    woken_at_commit = True  # the consumers that write emails run in its process

    def __init__(
        self,
        pool: asyncpg.Pool,
        settings: NotificationsSettings,
        *,
        registry: CollectorRegistry | None = None,
    ) -> None:
        super().__init__(
            pool,
            batch_size=settings.mail_batch_size,
            poll_seconds=1.0,
            what="mail sender",
        )
        self._settings = settings
        self._sender = settings.sender()  # refused here, at startup, rather than at each email
        self._owner = uuid.uuid4()  # this sender's lease token (a restarted process gets a new one)
        # One limiter per SMTP server (this service talks to one).
        self._limiter = AsyncLimiter(settings.smtp_rate_per_second, 1.0)
        self._connections = [SmtpConnection(settings) for _ in range(settings.smtp_connections)]
        self._metrics = MailMetrics(registry or CollectorRegistry())
        self._paused_until = 0.0
        self._pauses_in_a_row = 0
        self._one_step_at_a_time = asyncio.Lock()
        self._settlements = Settlements(pool, settings, self._owner)

    async def stop(self, flush_timeout: float | None = None) -> None:
        await super().stop(flush_timeout)
        for connection in self._connections:
            await connection.close()

    def paused(self) -> bool:
        return time.monotonic() < self._paused_until

    async def step(self) -> int:
        """Lease up to one batch of due deliveries and send them over the connections in
        parallel, each settled as soon as it is answered; return how many were leased. One step
        at a time: stop() flushes with steps of its own while the loop's may still be sending, and
        an SMTP session carries one email at a time."""
        async with self._one_step_at_a_time:
            return await self._step()

    async def _step(self) -> int:
        if self.paused():
            return 0
        lease = self._settings.mail_lease_seconds
        async with self._pool.acquire() as conn:
            batch = await deliveries.claim_due(conn, self._settings.mail_batch_size, lease, self._owner)
        if not batch:
            return 0
        lanes = [batch[i :: len(self._connections)] for i in range(len(self._connections))]
        untried: list[SendingRow] = []
        renewing = asyncio.create_task(self._renew_while_sending())
        try:
            async with asyncio.TaskGroup() as group:
                for connection, rows in zip(self._connections, lanes, strict=True):
                    group.create_task(self._send_lane(connection, rows, untried))
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        if untried:  # sending paused: give them back, due as soon as it resumes
            async with self._pool.acquire() as conn:
                await deliveries.release(conn, [r.id for r in untried], self._owner)
        return len(batch)

    async def _renew_while_sending(self) -> None:
        """Keep this sender's leases alive while a slow relay works through the batch."""
        every = self._settings.mail_lease_seconds / 3
        while True:
            await asyncio.sleep(every)
            try:
                async with self._pool.acquire() as conn:
                    await deliveries.renew(conn, self._owner, self._settings.mail_lease_seconds)
            except (asyncpg.PostgresError, OSError) as exc:
                log.warning("mail sender could not renew its leases", error=repr(exc))

    async def _send_lane(
        self, connection: SmtpConnection, rows: list[SendingRow], untried: list[SendingRow]
    ) -> None:
        """Send the lane's emails one after another. Each answer is recorded (with the other
        lanes', in one transaction) before the next email goes, and that transaction holds the
        next email: the first is held by the claim just committed."""
        held = True
        for index, row in enumerate(rows):
            after = rows[index + 1] if index + 1 < len(rows) else None
            if self.paused():
                untried.append(row)
                continue
            if not held:  # taken over (this sender's lease ran out): the next is checked on its own
                log.info("email no longer leased to this sender", delivery_id=str(row.id))
                held = after is not None and await self._hold(after)
                continue
            async with self._limiter:
                refusal = await self._send_one(connection, row)
            self._note(row, refusal)
            held = self._count(row, refusal, await self._settlements.record(row, refusal, after))

    async def _hold(self, row: SendingRow) -> bool:
        async with self._pool.acquire() as conn:
            return await deliveries.hold(conn, row.id, self._owner, self._settings.mail_lease_seconds)

    async def _send_one(self, connection: SmtpConnection, row: SendingRow) -> Refusal | None:
        """Send one email (that this sender holds): the server's answer, None when accepted."""
        attributes = {"hearth.delivery_id": str(row.id), "hearth.template": row.template}
        with tracing.calling("smtp send", row.traceparent, attributes) as refused:
            try:
                document = message(row, self._sender)
            except Exception as exc:  # an unbuildable email fails alone (a control character in a header)
                refusal: Refusal | None = Refusal(f"the email could not be built: {exc}", None, Phase.BUILD)
            else:
                refusal = await connection.send(document)  # the span ends at the server's answer
            if refusal is not None:
                refused(f"{refusal.phase} {refusal.code}")
        return refusal

    def _note(self, row: SendingRow, refusal: Refusal | None) -> None:
        """Pause all sending when the server refuses the service; resume on the first acceptance."""
        if refusal is None:
            if self._pauses_in_a_row:
                log.info("mail sending resumed")
            self._pauses_in_a_row = 0
            self._metrics.paused.set(0)
            return
        if sending.verdict(refusal) is not Verdict.PAUSE:
            return
        self._pauses_in_a_row += 1
        wait = sending.pause_seconds(self._pauses_in_a_row, self._settings.smtp_pause_max_seconds)
        self._paused_until = max(self._paused_until, time.monotonic() + wait)
        self._metrics.paused.set(1)
        self._metrics.pauses.labels(str(refusal.phase)).inc()
        log.warning(
            "mail sending paused",
            reason=sending.without_address(refusal.reason, row.to_address),
            phase=str(refusal.phase),
            code=refusal.code,
            resume_in=wait,
        )

    def _count(self, row: SendingRow, refusal: Refusal | None, recorded: Recorded) -> bool:
        """Metrics and the log line of one recorded answer; whether the lane's next email is held."""
        if recorded.failed:
            self._metrics.failed.labels(row.category).inc()
        if not recorded.settled:
            self._metrics.outcomes.labels("lease_lost").inc()
            log.warning("email answered after its lease was taken over", delivery_id=str(row.id))
            return recorded.next_held
        self._metrics.outcomes.labels("sent" if refusal is None else "refused").inc()
        if refusal is None:
            self._metrics.sent.labels(row.category).inc()
            log.info(
                "email sent",
                template=row.template,
                language=row.language,
                correlation_id=row.correlation_id,
                delivery_id=str(row.id),
            )
        return recorded.next_held
