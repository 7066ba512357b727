"""Staff's decision on a self-reported activity."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from hearth_credits.domain.cycles import CycleRule
from hearth_credits.domain.self_reports import (
    AlreadyDecided,
    ReasonRequired,
    SelfReport,
    SelfReportNotFound,
    award,
    decision,
    require_reason,
)

pytestmark = pytest.mark.unit


def report(status: str = "pending") -> SelfReport:
    return SelfReport(
        uuid.uuid4(), uuid.uuid4(), "Course", "formal_learning", Decimal("6.00"), date(2027, 4, 1),
        "Certificate no. 4471", status, None, datetime.now(UTC), None,
    )  # fmt: skip


def test_a_rejection_needs_a_reason() -> None:
    with pytest.raises(ReasonRequired, match="needs a reason"):
        require_reason(False, None)
    require_reason(False, "Duplicate")
    require_reason(True, None)


def test_only_a_pending_report_is_decided() -> None:
    pending = report()
    assert decision(pending, pending.id, True) == "approved"
    assert decision(pending, pending.id, False) == "rejected"
    with pytest.raises(AlreadyDecided, match="already approved"):
        decision(report("approved"), pending.id, False)
    with pytest.raises(SelfReportNotFound):
        decision(None, pending.id, True)


def test_an_approval_awards_its_hours_in_the_cycle_of_its_day() -> None:
    approved = report("approved")
    entry = award(approved, CycleRule())
    assert (entry.person_id, entry.activity_id, entry.kind, entry.hours, entry.category, entry.cycle) == (
        approved.person_id,
        approved.id,
        "award",
        Decimal("6.00"),
        "formal_learning",
        "2027-2028",
    )
