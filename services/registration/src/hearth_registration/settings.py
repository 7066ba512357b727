"""Registration's settings: the shared ones plus the waitlist hold (HEARTH_WAITLIST_HOLD_SECONDS),
the unpaid hold of a priced ticket (HEARTH_PAYMENT_HOLD_MINUTES), how long feedback stays open
after a gathering (HEARTH_FEEDBACK_OPEN_DAYS) and how long an attendance import keeps the rows it
could not use (HEARTH_IMPORT_REPORT_RETENTION)."""

from __future__ import annotations

from datetime import timedelta

from hearth_shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    http_port: int = 8001
    # How long a freed seat is held for the person it is offered to before passing on.
    waitlist_hold_seconds: float = 48 * 3600
    # How often expired offers and unpaid holds are looked for .
    offer_expiry_poll_seconds: float = 1.0
    # How long a ticket with a price is held awaiting payment before its seat passes on (48 h:
    # an e-transfer can take a business day or two).
    payment_hold_minutes: float = 48 * 60
    # Feedback is given, and edited, until this long after the gathering ends.
    feedback_open_days: float = 30
    # An import's unusable rows (addresses and names as the file wrote them) are for staff to fix
    # that gathering's attendance; after this the import keeps its counts, file name and author.
    import_report_retention: timedelta = timedelta(days=90)
