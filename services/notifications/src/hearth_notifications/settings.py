"""Notifications' settings: the shared ones plus the SMTP server (HEARTH_SMTP_*)."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr

from hearth_shared.settings import ServiceSettings


class MailSettings(ServiceSettings):
    http_port: int = 8004
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_timeout: float = 10.0
    mail_from: str = "Hearth <no-reply@hearth.invalid>"
    mail_batch_size: int = 50
    mail_max_attempts: int = 8
