"""Sends due deliveries over SMTP, on a few long-lived connections, within a send-rate limit.

A batch is leased (committed) first, then sent, then its outcomes are recorded in one
transaction, so a crash repeats at most the emails of the batch in flight (mail_batch_size),
never loses one. Transient SMTP trouble reschedules with growing delays; a 5xx reply or exhausted
attempts mark the delivery failed with the reason. Each outcome publishes NotificationDelivered or
NotificationFailed.
"""

from __future__ import annotations

import asyncio
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

import asyncpg
import structlog
from aiolimiter import AsyncLimiter

from hearth_shared.contracts import CloudEvent
from hearth_shared.logs import current_correlation_id
from hearth_shared.messaging import Work
from hearth_shared.messaging.outbox import write_events
from hearth_shared.worker import ClaimLoop

from ..actions import outcomes
from ..actions.outcomes import Outcome
from ..events import SOURCE
from ..settings import NotificationsSettings
from ..store import deliveries
from ..store.deliveries import SendingRow
from .smtp import SmtpConnection

log = structlog.get_logger(__name__)


class Mailer(ClaimLoop):
    def __init__(self, pool: asyncpg.Pool, settings: NotificationsSettings, *, schema: str) -> None:
        super().__init__(
            pool,
            channel=f"{schema}_deliveries",
            batch_size=settings.mail_batch_size,
            poll_seconds=1.0,
            what="mail sender",
        )
        self._settings = settings
        # One limiter per SMTP server (this service talks to one).
        self._limiter = AsyncLimiter(settings.smtp_rate_per_second, 1.0)
        self._connections = [SmtpConnection(settings) for _ in range(settings.smtp_connections)]

    async def stop(self, flush_timeout: float | None = None) -> None:
        await super().stop(flush_timeout)
        for connection in self._connections:
            await connection.close()

    async def step(self) -> int:
        """Lease up to one batch of due deliveries, send them over the connections in parallel,
        then record every outcome in one transaction; return how many were settled."""
        async with self._pool.acquire() as conn:
            batch = await deliveries.claim_due(
                conn, self._settings.mail_batch_size, self._settings.mail_lease_seconds
            )
        if not batch:
            return 0
        lanes = [batch[i :: len(self._connections)] for i in range(len(self._connections))]
        sent = await asyncio.gather(
            *(self._send_lane(c, rows) for c, rows in zip(self._connections, lanes, strict=True))
        )
        await self._settle([pair for lane in sent for pair in lane])
        return len(batch)

    async def _send_lane(self, connection: SmtpConnection, rows: list[SendingRow]) -> list[Outcome]:
        answered = []
        for row in rows:
            async with self._limiter:
                answered.append((row, await connection.send(message(row, self._settings.mail_from))))
        return answered

    async def _settle(self, answered: list[Outcome]) -> None:
        """Record the outcomes in one transaction, their events reaching the outbox in one
        statement; then log what was sent."""
        published: list[CloudEvent[Any]] = []
        async with self._pool.acquire() as conn, conn.transaction():
            work = Work(conn=conn, source=SOURCE, correlation_id=current_correlation_id(), pending=published)
            await outcomes.settle(work, answered, self._settings.mail_max_attempts)
            await write_events(conn, published)
        for row, refusal in answered:
            if refusal is None:
                log.info(
                    "email sent",
                    template=row.template,
                    language=row.language,
                    correlation_id=row.correlation_id,
                    delivery_id=str(row.id),
                )


def message(row: SendingRow, mail_from: str) -> tuple[str, str, bytes]:
    """Sender, recipient and the MIME document: text and HTML alternatives, and the calendar
    invitation when there is one. Built with email.mime (compat32), which costs a third of
    EmailMessage's time per email (docs/benchmarks.md)."""
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(row.body_text, "plain", "utf-8"))
    body.attach(MIMEText(row.body_html, "html", "utf-8"))
    document = body
    if row.calendar:
        document = MIMEMultipart("mixed")
        document.attach(body)
        invite = MIMEText(row.calendar, "calendar", "utf-8")
        invite.set_param("method", "CANCEL" if "METHOD:CANCEL" in row.calendar else "PUBLISH")
        invite.add_header("Content-Disposition", "attachment", filename="invite.ics")
        document.attach(invite)
    document["From"] = mail_from
    document["To"] = row.to_address
    # compat32 takes a Header and encodes it (RFC 2047) when the document is written.
    document["Subject"] = Header(row.subject, "utf-8")  # type: ignore[assignment]
    document["Date"] = formatdate()
    document["Message-ID"] = make_msgid(idstring=str(row.id), domain="hearth")
    document["Content-Language"] = row.language
    document["X-Hearth-Delivery-Id"] = str(row.id)
    document["X-Hearth-Correlation-Id"] = row.correlation_id
    return parseaddr(mail_from)[1], row.to_address, document.as_bytes()
