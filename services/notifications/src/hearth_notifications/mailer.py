"""Sends due deliveries over SMTP, on a few long-lived connections, within a send-rate limit.

A batch is leased (committed) first, then each email is sent and marked at once, so a crash
repeats at most the one email in flight on each connection, never loses one. Transient SMTP
trouble reschedules with growing delays; a 5xx reply or exhausted attempts mark the delivery
failed with the reason. Each outcome publishes NotificationDelivered or NotificationFailed.
"""

from __future__ import annotations

import asyncio
import contextlib
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
import asyncpg
import structlog
from aiolimiter import AsyncLimiter

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import NotificationDelivered, NotificationFailed
from hearth_shared.messaging import write_event
from hearth_shared.worker import ClaimLoop

from . import domain
from .settings import MailSettings
from .store import deliveries

log = structlog.get_logger(__name__)

SOURCE = "/hearth/notifications"


class Mailer:
    def __init__(self, pool: asyncpg.Pool, settings: MailSettings, *, schema: str) -> None:
        self._pool = pool
        self._settings = settings
        # One limiter per SMTP server (this service talks to one).
        self._limiter = AsyncLimiter(settings.smtp_rate_per_second, 1.0)
        self._connections = [_Connection(settings) for _ in range(settings.smtp_connections)]
        self._loop = ClaimLoop(
            pool,
            channel=f"{schema}_deliveries",
            step=self.send_due,
            batch_size=settings.mail_batch_size,
            poll_seconds=1.0,
            what="mail sender",
        )

    async def run(self) -> None:
        await self._loop.run()

    async def stop(self) -> None:
        await self._loop.stop()
        for connection in self._connections:
            await connection.close()

    async def send_due(self) -> int:
        """Lease up to one batch of due deliveries and send them; return how many were settled."""
        async with self._pool.acquire() as conn:
            batch = await deliveries.claim_due(
                conn, self._settings.mail_batch_size, self._settings.mail_lease_seconds
            )
        if not batch:
            return 0
        lanes = [batch[i :: len(self._connections)] for i in range(len(self._connections))]
        await asyncio.gather(
            *(self._send_lane(c, rows) for c, rows in zip(self._connections, lanes, strict=True))
        )
        return len(batch)

    async def _send_lane(self, connection: _Connection, rows: list[asyncpg.Record]) -> None:
        for row in rows:
            with structlog.contextvars.bound_contextvars(
                correlation_id=row["correlation_id"], delivery_id=str(row["id"])
            ):
                async with self._limiter:
                    outcome = await connection.send(self._message(row))
                await self._settle(row, outcome)

    async def _settle(self, row: asyncpg.Record, outcome: tuple[str, int | None] | None) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            if outcome is None:
                delivered_at = await deliveries.mark_sent(conn, row["id"])
                await write_event(
                    conn,
                    new_event(
                        NotificationDelivered(
                            **_facts(row), attempts=row["attempts"] + 1, delivered_at=delivered_at
                        ),
                        source=SOURCE,
                        correlation_id=row["correlation_id"],
                    ),
                )
                log.info("email sent", template=row["template"], language=row["language"])
                return
            reason, code = outcome
            attempts = row["attempts"] + 1
            if domain.is_permanent_smtp_failure(code) or attempts >= self._settings.mail_max_attempts:
                await deliveries.mark_failed(conn, row["id"], reason)
                await write_event(
                    conn,
                    new_event(
                        NotificationFailed(**_facts(row), attempts=attempts, reason=reason),
                        source=SOURCE,
                        correlation_id=row["correlation_id"],
                    ),
                )
                log.error("email failed", reason=reason, attempts=attempts)
            else:
                delay = domain.retry_delay_seconds(attempts)
                await deliveries.reschedule(conn, row["id"], reason, delay)
                log.warning("email deferred", reason=reason, attempts=attempts, retry_in=delay)

    def _message(self, row: asyncpg.Record) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._settings.mail_from
        message["To"] = row["to_address"]
        message["Subject"] = row["subject"]
        message["Message-ID"] = make_msgid(idstring=str(row["id"]), domain="hearth")
        message["Content-Language"] = row["language"]
        message["X-Hearth-Delivery-Id"] = str(row["id"])
        message["X-Hearth-Correlation-Id"] = row["correlation_id"]
        message.set_content(row["body_text"])
        message.add_alternative(row["body_html"], subtype="html")
        if row["calendar"]:
            method = "CANCEL" if "METHOD:CANCEL" in row["calendar"] else "PUBLISH"
            message.add_attachment(
                row["calendar"].encode(),
                maintype="text",
                subtype="calendar",
                filename="invite.ics",
                params={"method": method},
            )
        return message


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

    async def send(self, message: EmailMessage) -> tuple[str, int | None] | None:
        """Send; None when accepted, else the reason and the SMTP code (None: no reply)."""
        try:
            smtp = await self._open()
            await smtp.send_message(message)
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
