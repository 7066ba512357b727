"""When a gathering's line closes (cancelled, or begun), without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hearth_registration import domain
from hearth_shared.contracts.catalogue import GatheringStatus

pytestmark = pytest.mark.unit

NOW = datetime(2027, 5, 6, 16, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)


@pytest.mark.parametrize("status", [GatheringStatus.DRAFT, GatheringStatus.OPEN, GatheringStatus.CLOSED])
def test_the_line_of_a_gathering_yet_to_begin_stays_open(status: GatheringStatus) -> None:
    assert domain.line_closed(status, LATER, NOW) is None


def test_a_cancelled_gathering_closes_its_line_with_its_own_code() -> None:
    refusal = domain.line_closed(GatheringStatus.CANCELLED, LATER, NOW)
    assert isinstance(refusal, domain.GatheringIsCancelled)
    assert refusal.code == "gathering_cancelled"


@pytest.mark.parametrize("starts_at", [NOW, NOW - timedelta(minutes=1)])
def test_a_gathering_that_has_begun_closes_its_line(starts_at: datetime) -> None:
    refusal = domain.line_closed(GatheringStatus.OPEN, starts_at, NOW)
    assert refusal is not None
    assert refusal.code == "waitlist_closed"
