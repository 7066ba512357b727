"""Retention: how long notifications keeps what it no longer needs. A finished email's subject,
bodies and calendar go after `email_body_retention` (its metadata — template, recipient, status,
attempts, times — stays, as the delivery log staff read); a fired or dropped plan goes after
`plan_retention`. No I/O: the worker asks these for the instants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FINISHED = ("sent", "failed", "suppressed", "digested")  # a delivery that will not be sent again


@dataclass(frozen=True)
class Retention:
    email_body: timedelta
    plan: timedelta

    def bodies_before(self, now: datetime) -> datetime:
        """Finished emails older than this lose their content."""
        return now - self.email_body

    def plans_before(self, now: datetime) -> datetime:
        """Fired or dropped plans due before this are deleted."""
        return now - self.plan
