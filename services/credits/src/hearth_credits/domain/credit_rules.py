"""How many CPD hours attendance earns under a gathering's credit policy."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from hearth_shared.contracts.catalogue import CreditPolicy

ZERO = Decimal("0.00")


def hours_earned(policy: CreditPolicy | None, minutes_attended: int, length_minutes: int) -> Decimal:
    """Minutes / 60, rounded down to the policy's increment and capped at the hours offered;
    nothing below the minimum attendance fraction of the gathering's length, nothing without a
    policy."""
    if policy is None or minutes_attended <= 0:
        return ZERO
    if Decimal(minutes_attended) < policy.minimum_attendance_fraction * Decimal(max(length_minutes, 0)):
        return ZERO
    steps = (Decimal(minutes_attended) / 60 / policy.increment_hours).to_integral_value(rounding=ROUND_FLOOR)
    return min(steps * policy.increment_hours, policy.hours).quantize(ZERO)
