"""The CPD cycle (e.g. a licence year) a date falls in, and progress through a cycle with
carry-over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .credit_rules import ZERO


class NotACycle(ValueError):
    """A cycle's label that does not name one."""


@dataclass(frozen=True)
class CycleRule:
    """An association's reporting cycle: it starts each year on `start_month`/`start_day`,
    requires `required_hours`, and lets up to `carry_over_hours` of a cycle's surplus count in
    the next one."""

    start_month: int = 4
    start_day: int = 1
    required_hours: Decimal = Decimal(40)
    carry_over_hours: Decimal = Decimal(10)

    def cycle_of(self, day: date) -> Cycle:
        start_year = day.year if (day.month, day.day) >= (self.start_month, self.start_day) else day.year - 1
        return Cycle(start_year, date(start_year, self.start_month, self.start_day))

    def named(self, label: str) -> Cycle:
        """The cycle called e.g. '2026-2027'."""
        first, _, second = label.partition("-")
        if not (first.isdigit() and second.isdigit() and int(second) == int(first) + 1):
            raise NotACycle(f"{label!r} is not a cycle such as 2026-2027")
        return Cycle(int(first), date(int(first), self.start_month, self.start_day))

    def progress(self, earned: Decimal, earned_before: Decimal) -> Progress:
        carried = min(max(earned_before - self.required_hours, ZERO), self.carry_over_hours)
        total = earned + carried
        return Progress(
            earned=earned.quantize(ZERO),
            carried_in=carried.quantize(ZERO),
            total=total.quantize(ZERO),
            required=self.required_hours.quantize(ZERO),
            remaining=max(self.required_hours - total, ZERO).quantize(ZERO),
        )


def _consecutive_years() -> str:
    """A JSON Schema pattern (ECMA and Python alike) for a label such as 2026-2027, the second year
    the first plus one: one branch per last digit before the carry, a back-reference keeping the
    digits the carry leaves alone (2029-2030: "202", 9 → 3, 0)."""
    branches: list[str] = []
    for nines in range(4):
        kept = 3 - nines
        for digit in range(9):
            group = len(branches) + 1
            head, same = (f"([0-9]{{{kept}}})", f"(?:\\{group})") if kept else ("", "")
            branches.append(f"{head}{digit}{'9' * nines}-{same}{digit + 1}{'0' * nines}")
    return "^(?:" + "|".join(branches) + ")$"


LABEL_PATTERN = _consecutive_years()


@dataclass(frozen=True)
class Cycle:
    start_year: int
    starts_on: date

    @property
    def label(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    @property
    def ends_before(self) -> date:
        return self.starts_on.replace(year=self.start_year + 1)

    @property
    def previous(self) -> Cycle:
        return Cycle(self.start_year - 1, self.starts_on.replace(year=self.start_year - 1))


@dataclass(frozen=True)
class Progress:
    earned: Decimal
    carried_in: Decimal
    total: Decimal
    required: Decimal
    remaining: Decimal
