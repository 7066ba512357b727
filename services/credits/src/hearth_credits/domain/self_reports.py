"""Self-reported activities (a course, reading, supervision outside Hearth): staff approve them
(the hours enter the ledger) or reject them with a reason the person will read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .cycles import CycleRule
from .ledger import Entry


@dataclass(frozen=True)
class SelfReport:
    id: uuid.UUID
    person_id: uuid.UUID
    title: str
    category: str
    hours: Decimal
    activity_date: date
    evidence: str
    status: str  # "pending", "approved" or "rejected"
    decision_reason: str | None
    submitted_at: datetime
    decided_at: datetime | None
    submitted_by: uuid.UUID | None = None  # the staff member who entered it
    decided_by: uuid.UUID | None = None  # the staff member who approved or rejected it


class SelfReportRefused(Exception):
    """A decision on a self-report that cannot be made."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ReasonRequired(SelfReportRefused):
    def __init__(self) -> None:
        super().__init__("a rejection needs a reason the person will read")


class SelfReportNotFound(SelfReportRefused):
    def __init__(self, report_id: uuid.UUID) -> None:
        super().__init__(f"no self-report {report_id}")


class AlreadyDecided(SelfReportRefused):
    def __init__(self, status: str) -> None:
        super().__init__(f"this self-report is already {status}")


def require_reason(approved: bool, reason: str | None) -> None:
    if not approved and not reason:
        raise ReasonRequired()


def decision(report: SelfReport | None, report_id: uuid.UUID, approved: bool) -> str:
    """The status deciding `report` gives it: only a pending one can be decided."""
    if report is None:
        raise SelfReportNotFound(report_id)
    if report.status != "pending":
        raise AlreadyDecided(report.status)
    return "approved" if approved else "rejected"


def award(report: SelfReport, rule: CycleRule) -> Entry:
    """The ledger entry of an approved report, in the cycle of the day it took place."""
    cycle = rule.cycle_of(report.activity_date).label
    return Entry(
        report.person_id,
        report.id,
        "award",
        report.hours,
        report.category,
        cycle,
        "self-reported activity, approved",
    )
