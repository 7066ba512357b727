"""Registration's rules, without I/O."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth_registration import domain
from hearth_registration.domain import GatheringStatus


@given(capacity=st.integers(0, 10_000), taken=st.integers(0, 10_000))
def test_an_open_gathering_sells_exactly_while_seats_remain(capacity: int, taken: int) -> None:
    if taken < capacity:
        domain.check_can_sell(GatheringStatus.OPEN, taken, capacity)
    else:
        with pytest.raises(domain.GatheringFull):
            domain.check_can_sell(GatheringStatus.OPEN, taken, capacity)


@pytest.mark.parametrize("status", [s for s in GatheringStatus if s is not GatheringStatus.OPEN])
def test_only_an_open_gathering_sells(status: GatheringStatus) -> None:
    with pytest.raises(domain.GatheringNotOpen, match=status.value):
        domain.check_can_sell(status, 0, 100)


def test_emails_identify_people_case_insensitively() -> None:
    assert domain.normalise_email("  Sam.Tremblay@Example.ORG ") == "sam.tremblay@example.org"
