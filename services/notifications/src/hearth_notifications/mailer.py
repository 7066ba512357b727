"""Sends due deliveries over SMTP, on a few long-lived connections, within a send-rate limit.

A batch is leased (committed) first, then sent, then its outcomes are recorded in one
transaction, so a crash repeats at most the emails of the batch in flight (mail_batch_size),
never loses one. Transient SMTP
trouble reschedules with growing delays; a 5xx reply or exhausted attempts mark the delivery
failed with the reason. Each outcome publishes NotificationDelivered or NotificationFailed.
"""

from __future__ import annotations

import asyncio
import contextlib
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

import aiosmtplib
import asyncpg
import structlog
from aiolimiter import AsyncLimiter

from hearth_shared.contracts import CloudEvent, new_event
from hearth_shared.contracts.catalogue import NotificationDelivered, NotificationFailed
from hearth_shared.db import Connection
from hearth_shared.messaging.outbox import write_events
from hearth_shared.worker import ClaimLoop

from . import domain
from .settings import MailSettings
from .store import deliveries

log = structlog.get_logger(__name__)

SOURCE = "/hearth/notifications"

Outcome = tuple[asyncpg.Record, "tuple[str, int | None] | None"]
"""A delivery and what the SMTP server said: None when accepted, else the reason and the code."""


class Mailer(ClaimLoop):
    def __init__(self, pool: asyncpg.Pool, settings: MailSettings, *, schema: str) -> None:
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
        self._connections = [_Connection(settings) for _ in range(settings.smtp_connections)]

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
        outcomes = await asyncio.gather(
            *(self._send_lane(c, rows) for c, rows in zip(self._connections, lanes, strict=True))
        )
        await self._settle([pair for lane in outcomes for pair in lane])
        return len(batch)

    async def _send_lane(self, connection: _Connection, rows: list[asyncpg.Record]) -> list[Outcome]:
        outcomes = []
        for row in rows:
            async with self._limiter:
                outcomes.append((row, await connection.send(self._message(row))))
        return outcomes

    async def _settle(self, outcomes: list[Outcome]) -> None:
        """Mark what was accepted, defer or fail the rest, and publish each outcome."""
        events: list[CloudEvent[Any]] = []
        async with self._pool.acquire() as conn, conn.transaction():
            accepted = [row for row, refusal in outcomes if refusal is None]
            for row, sent_at in zip(
                accepted, await deliveries.mark_sent(conn, [r["id"] for r in accepted]), strict=True
            ):
                facts = NotificationDelivered(
                    **_facts(row), attempts=row["attempts"] + 1, delivered_at=sent_at
                )
                events.append(new_event(facts, source=SOURCE, correlation_id=row["correlation_id"]))
            for row, refusal in outcomes:
                if refusal is not None and (failed := await self._refused(conn, row, *refusal)) is not None:
                    events.append(new_event(failed, source=SOURCE, correlation_id=row["correlation_id"]))
            await write_events(conn, events)
        for row in accepted:
            log.info(
                "email sent",
                template=row["template"],
                language=row["language"],
                correlation_id=row["correlation_id"],
                delivery_id=str(row["id"]),
            )

    async def _refused(
        self, conn: Connection, row: asyncpg.Record, reason: str, code: int | None
    ) -> NotificationFailed | None:
        """Fail for good (a 5xx, or attempts exhausted) or try again later."""
        attempts = row["attempts"] + 1
        context = {"correlation_id": row["correlation_id"], "delivery_id": str(row["id"])}
        if domain.is_permanent_smtp_failure(code) or attempts >= self._settings.mail_max_attempts:
            await deliveries.mark_failed(conn, row["id"], reason)
            log.error("email failed", reason=reason, attempts=attempts, **context)
            return NotificationFailed(**_facts(row), attempts=attempts, reason=reason)
        delay = domain.retry_delay_seconds(attempts)
        await deliveries.reschedule(conn, row["id"], reason, delay)
        log.warning("email deferred", reason=reason, attempts=attempts, retry_in=delay, **context)
        return None

    def _message(self, row: asyncpg.Record) -> tuple[str, str, bytes]:
        """Sender, recipient and the MIME document: text and HTML alternatives, and the calendar
        invitation when there is one. Built with email.mime (compat32), which costs a third of
        EmailMessage's time per email (docs/benchmarks.md)."""
        body = MIMEMultipart("alternative")
        body.attach(MIMEText(row["body_text"], "plain", "utf-8"))
        body.attach(MIMEText(row["body_html"], "html", "utf-8"))
        message = body
        if row["calendar"]:
            message = MIMEMultipart("mixed")
            message.attach(body)
            invite = MIMEText(row["calendar"], "calendar", "utf-8")
            invite.set_param("method", "CANCEL" if "METHOD:CANCEL" in row["calendar"] else "PUBLISH")
            invite.add_header("Content-Disposition", "attachment", filename="invite.ics")
            message.attach(invite)
        message["From"] = self._settings.mail_from
        message["To"] = row["to_address"]
        # compat32 takes a Header and encodes it (RFC 2047) when the document is written.
        message["Subject"] = Header(row["subject"], "utf-8")  # type: ignore[assignment]
        message["Date"] = formatdate()
        message["Message-ID"] = make_msgid(idstring=str(row["id"]), domain="hearth")
        message["Content-Language"] = row["language"]
        message["X-Hearth-Delivery-Id"] = str(row["id"])
        message["X-Hearth-Correlation-Id"] = row["correlation_id"]
        return parseaddr(self._settings.mail_from)[1], row["to_address"], message.as_bytes()


def _facts(row: asyncpg.Record) -> dict[str, object]:
    return {
        "delivery_id": row["id"],
        "source_event_id": row["source_event_id"],
        "template": row["template"],
        "language": row["language"],
        "person_id": row["person_id"],
    }


class _Connection:
    """One SMTP session kept open between emails and reopened after trouble."""

    def __init__(self, settings: MailSettings) -> None:
        self._settings = settings
        self._smtp: aiosmtplib.SMTP | None = None

    async def send(self, message: tuple[str, str, bytes]) -> tuple[str, int | None] | None:
        """Send; None when accepted, else the reason and the SMTP code (None: no reply)."""
        sender, recipient, document = message
        try:
            smtp = await self._open()
            await smtp.sendmail(sender, [recipient], document)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [e.code for e in exc.recipients]
            return f"recipient refused: {'; '.join(f'{e.code} {e.message}' for e in exc.recipients)}", min(
                codes, default=None
            )
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset()
            return f"SMTP {exc.code}: {exc.message}", exc.code
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            self._drop()
            return f"SMTP unavailable: {exc!r}", None
        return None

    async def _open(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        s = self._settings
        smtp = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            timeout=s.smtp_timeout,
        )
        await smtp.connect()
        if s.smtp_username:
            password = s.smtp_password.get_secret_value() if s.smtp_password else ""
            await smtp.login(s.smtp_username, password)
        self._smtp = smtp
        return smtp

    async def _reset(self) -> None:
        """After a refused message the session may go on (RSET); if not, reopen next time."""
        try:
            if self._smtp is not None:
                await self._smtp.rset()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(Exception):
                self._smtp.close()
        self._smtp = None

    async def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(Exception):
                await self._smtp.quit()
            self._smtp = None
