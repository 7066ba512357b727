"""Sends pending deliveries over SMTP, one transaction per email: claim the row, send, mark it.

A crash after the send and before the commit leaves the row pending, so that one email may go
out twice; no email is ever lost. Transient SMTP trouble reschedules with growing delays; a 5xx
reply or exhausted attempts mark the delivery failed with the reason, for staff to see.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
import asyncpg
import structlog

from hearth_shared.db import Connection
from hearth_shared.worker import ClaimLoop

from . import domain, store
from .settings import MailSettings

log = structlog.get_logger(__name__)


class Mailer:
    def __init__(self, pool: asyncpg.Pool, settings: MailSettings, *, schema: str) -> None:
        self._pool = pool
        self._settings = settings
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

    async def send_due(self) -> int:
        """Send up to one batch of due deliveries; return how many were settled."""
        settled = 0
        while settled < self._settings.mail_batch_size:
            async with self._pool.acquire() as conn, conn.transaction():
                row = await store.claim_due(conn)
                if row is None:
                    break
                with structlog.contextvars.bound_contextvars(
                    correlation_id=row["correlation_id"], delivery_id=str(row["id"])
                ):
                    await self._send_one(conn, row)
            settled += 1
        return settled

    async def _send_one(self, conn: Connection, row: asyncpg.Record) -> None:
        settings = self._settings
        try:
            await aiosmtplib.send(
                self._message(row),
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
                use_tls=settings.smtp_security == "tls",
                start_tls=settings.smtp_security == "starttls",
                timeout=settings.smtp_timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [e.code for e in exc.recipients]
            await self._failed(conn, row, f"recipient refused: {exc}", min(codes, default=None))
        except aiosmtplib.SMTPResponseException as exc:
            await self._failed(conn, row, f"SMTP {exc.code}: {exc.message}", exc.code)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._failed(conn, row, f"SMTP unavailable: {exc!r}", None)
        else:
            await store.mark_sent(conn, row["id"])
            log.info("email sent", template=row["template"], language=row["language"])

    async def _failed(self, conn: Connection, row: asyncpg.Record, reason: str, code: int | None) -> None:
        attempts = row["attempts"] + 1
        if domain.is_permanent_smtp_failure(code) or attempts >= self._settings.mail_max_attempts:
            await store.mark_failed(conn, row["id"], reason)
            log.error("email failed", reason=reason, attempts=attempts)
        else:
            delay = domain.retry_delay_seconds(attempts)
            await store.reschedule(conn, row["id"], reason, delay)
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
        return message
