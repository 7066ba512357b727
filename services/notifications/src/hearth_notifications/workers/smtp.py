"""One SMTP session kept open between emails and reopened after trouble (aiosmtplib). Each command
is sent on its own, so that a refusal is known by the phase it answers (domain/sending.py)."""

from __future__ import annotations

import contextlib

import aiosmtplib

from ..domain.sending import Phase, Refusal
from ..settings import NotificationsSettings


class SmtpConnection:
    """One SMTP session kept open between emails and reopened after trouble."""

    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings
        self._smtp: aiosmtplib.SMTP | None = None

    async def send(self, message: tuple[str, str, bytes]) -> Refusal | None:
        """Send; None when accepted, else why not, the SMTP code (None: no reply) and the phase."""
        sender, recipient, document = message
        phase = Phase.CONNECT
        try:
            smtp = await self._open()
            phase = Phase.SENDER
            await smtp.mail(sender)
            phase = Phase.RECIPIENT
            await smtp.rcpt(recipient)
            phase = Phase.DATA
            await smtp.data(document)
        except aiosmtplib.SMTPAuthenticationError as exc:
            self._drop()
            return Refusal(f"SMTP {exc.code} (authentication): {exc.message}", exc.code, Phase.AUTH)
        except aiosmtplib.SMTPServerDisconnected as exc:
            self._drop()
            return Refusal(f"SMTP unavailable ({phase}): {exc!r}", None, phase)
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset()
            return Refusal(f"SMTP {exc.code} ({phase}): {exc.message}", exc.code, phase)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            self._drop()
            return Refusal(f"SMTP unavailable ({phase}): {exc!r}", None, phase)
        except BaseException:  # cancelled mid-exchange: the session is in an unknown state
            self._drop()
            raise
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
        try:
            await smtp.connect()
            if s.smtp_username:
                await self._login(smtp)
        except BaseException:
            with contextlib.suppress(Exception):
                smtp.close()
            raise
        self._smtp = smtp
        return smtp

    async def _login(self, smtp: aiosmtplib.SMTP) -> None:
        s = self._settings
        password = s.smtp_password.get_secret_value() if s.smtp_password else ""
        try:
            await smtp.login(s.smtp_username or "", password)
        except aiosmtplib.SMTPResponseException as exc:
            # Whatever the code, a refused login is the service's trouble, not an email's.
            raise aiosmtplib.SMTPAuthenticationError(exc.code, exc.message) from exc

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
