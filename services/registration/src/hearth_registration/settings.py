"""Registration's settings: the shared ones plus the waitlist hold (HEARTH_WAITLIST_HOLD_SECONDS)."""

from __future__ import annotations

from hearth_shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    http_port: int = 8001
    # How long a freed seat is held for the person it is offered to before passing on.
    waitlist_hold_seconds: float = 48 * 3600
    offer_expiry_poll_seconds: float = 1.0
