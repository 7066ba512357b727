"""Credits' rules, free of I/O: the hours attendance earns, the CPD cycle a date falls in and
progress through it, the ledger's keep/reverse/award decision, when a certificate is due, and the
staff decision on a self-reported activity. Every type the store hands back is defined here."""

from . import activities, attendance, certificates, credit_rules, cycles, ledger, people, self_reports

__all__ = [
    "activities",
    "attendance",
    "certificates",
    "credit_rules",
    "cycles",
    "ledger",
    "people",
    "self_reports",
]
