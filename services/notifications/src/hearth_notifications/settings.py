"""Notifications' settings: the shared ones, the SMTP server (HEARTH_SMTP_*), when reminders go
out, and the public site that the signed links in emails open."""

from __future__ import annotations

import functools
import os
import secrets
from datetime import time, timedelta
from typing import Literal

from pydantic import Field, SecretStr

from hearth_shared.settings import ServiceSettings
from hearth_shared.signed_links import KEY_VARIABLE, MissingLinkKey, SignedLinks

from .domain.retention import Retention


class NotificationsSettings(ServiceSettings):
    http_port: int = 8004
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_timeout: float = 10.0
    # Emails per second this service hands to its SMTP server (providers throttle beyond theirs).
    smtp_rate_per_second: float = Field(default=50.0, gt=0)
    # SMTP connections kept open in parallel.
    smtp_connections: int = Field(default=2, ge=1, le=32)
    # The sender of every email (`Name <address>`), the association's own address: required to
    # send (the service refuses to start without it; `./dev run` and the tests set one).
    mail_from: str | None = None
    mail_batch_size: int = 50
    # A sender's lease on the emails it took; renewed every third of it while they are sent, so
    # it runs out only after a crash (then another sender, or the restarted one, takes them).
    # Longer than one email's SMTP exchange may take (smtp_timeout per command).
    mail_lease_seconds: float = Field(default=60.0, ge=3)
    # How long an email refused for its own transient reason (4xx to RCPT or DATA, a dropped
    # connection mid-message) is retried, with growing delays, before it fails (ISO 8601 or seconds).
    mail_retry_budget: timedelta = timedelta(days=3)
    # The longest wait between tries while the SMTP server refuses the service (AUTH, MAIL FROM,
    # unreachable); emails stay queued meanwhile, however long it lasts.
    smtp_pause_max_seconds: float = Field(default=60.0, gt=0)

    # Reminders before a gathering or group meeting (ISO 8601 durations or seconds in the env,
    # e.g. HEARTH_REMINDERS='["P1D", "PT1H"]'), and the feedback request after a gathering ends.
    reminders: list[timedelta] = [timedelta(hours=24), timedelta(hours=1)]
    feedback_after: timedelta = timedelta(hours=1)
    schedule_poll_seconds: float = 1.0
    # The daily digest of group activity goes out at this local time.
    digest_at: time = time(8, 0)
    digest_time_zone: str = "America/Toronto"
    # The weekly digest goes out on this day (0 = Monday … 6 = Sunday), at digest_at.
    digest_weekday: int = Field(default=0, ge=0, le=6)

    # Retention (docs/operations.md): a finished email's subject, bodies and calendar are kept this
    # long (its metadata stays); a fired or dropped plan this long after its instant.
    email_body_retention: timedelta = timedelta(days=90)
    plan_retention: timedelta = timedelta(days=30)
    retention_poll_seconds: float = 600.0

    # Where links in emails lead: the gateway's public site, which reads the signed links
    # (signed with HEARTH_LINK_KEY; HEARTH_LINK_KEY_PREVIOUS keeps older ones readable).
    public_url: str = "http://localhost:8000"

    def sender(self) -> str:
        if not self.mail_from:
            raise MissingSender(
                "HEARTH_MAIL_FROM is required: the address emails come from, "
                "e.g. HEARTH_MAIL_FROM='Hearth <events@your-association.org>'"
            )
        return self.mail_from

    def retention(self) -> Retention:
        return Retention(email_body=self.email_body_retention, plan=self.plan_retention)

    def links(self) -> SignedLinks:
        """The signer of every link in an email (one per public address and process)."""
        return _signer(self.public_url)


class MissingSender(ValueError):
    """No HEARTH_MAIL_FROM: nothing can be sent."""


@functools.cache
def _signer(public_url: str) -> SignedLinks:
    """Signed with HEARTH_LINK_KEY. Without one (a local run or a test that reads no link), links
    are signed with a key of this process alone, which the public site cannot read: app.py warns."""
    try:
        return SignedLinks.from_env(public_url)
    except MissingLinkKey:
        return SignedLinks([secrets.token_urlsafe(32)], public_url)


def has_link_key() -> bool:
    return bool(os.environ.get(KEY_VARIABLE))
