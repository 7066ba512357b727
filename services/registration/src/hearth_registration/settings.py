"""Registration's settings: the shared ones plus the waitlist hold (HEARTH_WAITLIST_HOLD_SECONDS)
and how long an attendance import keeps the rows it could not use (HEARTH_IMPORT_REPORT_RETENTION)."""

from __future__ import annotations

from datetime import timedelta

from hearth_shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    http_port: int = 8001
    # How long a freed seat is held for the person it is offered to before passing on.
    waitlist_hold_seconds: float = 48 * 3600
    offer_expiry_poll_seconds: float = 1.0
    # An import's unusable rows (addresses and names as the file wrote them) are for staff to fix
    # that gathering's attendance; after this the import keeps its counts, file name and author.
    import_report_retention: timedelta = timedelta(days=90)
