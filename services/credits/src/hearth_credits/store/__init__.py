"""asyncpg queries on the credits schema, one module per table family, one function per query,
the caller owning the transaction. Rows leave as the frozen types of `domain` (or, for what only
the API shows, the read types defined beside their query); migrations are in `migrations/`."""

from . import activities, attendance, certificates, erasure, feedback, ledger, people, progress, self_reports

__all__ = [
    "activities",
    "attendance",
    "certificates",
    "erasure",
    "feedback",
    "ledger",
    "people",
    "progress",
    "self_reports",
]
