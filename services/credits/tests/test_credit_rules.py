"""The credit rules, property by property."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from hearth_credits.domain.credit_rules import ZERO, hours_earned
from hearth_credits.domain.cycles import CycleRule
from hearth_shared.contracts.catalogue import CreditCategory, CreditPolicy

pytestmark = pytest.mark.unit

policies = st.builds(
    CreditPolicy,
    hours=st.decimals("0.25", "12", places=2),
    minimum_attendance_fraction=st.decimals("0", "1", places=2),
    category=st.sampled_from(CreditCategory),
    increment_hours=st.sampled_from([Decimal("0.25"), Decimal("0.5"), Decimal("1"), Decimal("0.1")]),
)
minutes = st.integers(0, 24 * 60)
lengths = st.integers(1, 12 * 60)


@given(policies, minutes, lengths)
def test_hours_are_never_negative_and_never_exceed_the_offer(
    policy: CreditPolicy, attended: int, length: int
) -> None:
    assert ZERO <= hours_earned(policy, attended, length) <= policy.hours


@given(policies, minutes, minutes, lengths)
def test_more_minutes_never_earn_fewer_hours(policy: CreditPolicy, a: int, b: int, length: int) -> None:
    fewer, more = sorted((a, b))
    assert hours_earned(policy, fewer, length) <= hours_earned(policy, more, length)


@given(policies, minutes, lengths)
def test_hours_are_whole_increments_rounded_down(policy: CreditPolicy, attended: int, length: int) -> None:
    hours = hours_earned(policy, attended, length)
    assume(hours < policy.hours)  # below the cap, the rounding shows
    assert hours % policy.increment_hours == 0
    assert hours <= Decimal(attended) / 60 < hours + policy.increment_hours or hours == 0


@given(policies, lengths, st.data())
def test_nothing_below_the_minimum_attendance_fraction(
    policy: CreditPolicy, length: int, data: st.DataObject
) -> None:
    threshold = policy.minimum_attendance_fraction * length
    assume(threshold > 0)
    # Draw the minutes below the threshold directly (filtering random minutes rejects too many).
    attended = data.draw(st.integers(0, int(threshold - Decimal("0.000001"))))
    assert Decimal(attended) < threshold
    assert hours_earned(policy, attended, length) == 0


def test_worked_examples() -> None:
    policy = CreditPolicy(
        hours=Decimal("1.5"), minimum_attendance_fraction=Decimal("0.75"), category="community_of_practice"
    )
    assert hours_earned(policy, 86, 90) == Decimal("1.25")  # 1.43 h rounds down to 1.25
    assert hours_earned(policy, 120, 90) == Decimal("1.5")  # capped at the offer
    assert hours_earned(policy, 67, 90) == 0  # 67 < 0.75 × 90
    assert hours_earned(policy, 68, 90) == Decimal("1.0")
    assert hours_earned(None, 90, 90) == 0  # an informal meetup


def test_cycles_run_april_to_march_with_capped_carry_over() -> None:
    rule = CycleRule(start_month=4, start_day=1, required_hours=Decimal(40), carry_over_hours=Decimal(10))
    assert rule.cycle_of(date(2027, 3, 31)).label == "2026-2027"
    assert rule.cycle_of(date(2027, 4, 1)).label == "2027-2028"
    assert rule.named("2026-2027").ends_before == date(2027, 4, 1)
    progress = rule.progress(earned=Decimal(12), earned_before=Decimal(65))
    assert (progress.carried_in, progress.total, progress.remaining) == (
        Decimal(10),
        Decimal(22),
        Decimal(18),
    )
    assert rule.progress(Decimal(41), Decimal(0)).remaining == 0
