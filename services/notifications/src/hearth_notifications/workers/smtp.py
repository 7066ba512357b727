"""One SMTP session kept open between emails and reopened after trouble (aiosmtplib)."""

from __future__ import annotations

import contextlib

import aiosmtplib

from ..domain.sending import Refusal
from ..settings import NotificationsSettings


class SmtpConnection:
    """One SMTP session kept open between emails and reopened after trouble."""

    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings
        self._smtp: aiosmtplib.SMTP | None = None

    async def send(self, message: tuple[str, str, bytes]) -> Refusal | None:
        """Send; None when accepted, else why not and the SMTP code (None: no reply)."""
        sender, recipient, document = message
        try:
            smtp = await self._open()
            await smtp.sendmail(sender, [recipient], document)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [e.code for e in exc.recipients]
            reason = f"recipient refused: {'; '.join(f'{e.code} {e.message}' for e in exc.recipients)}"
            return Refusal(reason, min(codes, default=None))
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset()
            return Refusal(f"SMTP {exc.code}: {exc.message}", exc.code)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            self._drop()
            return Refusal(f"SMTP unavailable: {exc!r}", None)
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
