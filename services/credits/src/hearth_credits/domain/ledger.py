"""The ledger's decision for each person and activity: keep the award standing, or reverse it
and/or award anew. The ledger is append-only, so a correction is a reversal entry plus a new
award, never an edit; the standing row says which award stands now (at most one per pair)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from hearth_shared.contracts.catalogue import CreditPolicy

from .activities import Activity
from .attendance import Attendance, Pair
from .credit_rules import ZERO, hours_earned
from .cycles import CycleRule


@dataclass(frozen=True)
class Entry:
    """A ledger line: an award, or the reversal of one (negative hours)."""

    person_id: uuid.UUID
    activity_id: uuid.UUID
    kind: Literal["award", "reversal"]
    hours: Decimal
    category: str
    cycle: str
    basis: str  # why, for a reader of the ledger: e.g. 'attendance revision 2: 86 min'
    reverses: uuid.UUID | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True)
class Standing:
    """What stands for a pair: an award entry (or nothing, with zero hours)."""

    activity_id: uuid.UUID
    person_id: uuid.UUID
    entry_id: uuid.UUID | None
    hours: Decimal
    category: str | None
    cycle: str | None

    @property
    def pair(self) -> Pair:
        return (self.activity_id, self.person_id)

    @classmethod
    def nothing(cls, pair: Pair) -> Standing:
        return cls(pair[0], pair[1], None, ZERO, None, None)


@dataclass(frozen=True)
class StandingAward:
    """An award standing after reconciling, new or kept: what a certificate may be issued for."""

    pair: Pair
    activity: Activity
    policy: CreditPolicy
    entry_id: uuid.UUID
    hours: Decimal


@dataclass(frozen=True)
class Correction:
    """The hours the rules give a pair changed: the award standing `before` (if any) is reversed,
    an award of the new hours (if any) appended, and `after` stands."""

    before: Standing
    after: Standing
    basis: str
    reversal: Entry | None
    award: Entry | None

    @property
    def pair(self) -> Pair:
        return self.before.pair

    @property
    def revoked_reason(self) -> str:
        """Why a certificate for the reversed award no longer holds."""
        return f"attendance corrected ({self.basis})"


def hours_now(activity: Activity, attendance: Attendance) -> Decimal:
    """The hours the rules give this attendance now (nothing for a cancelled activity)."""
    if activity.cancelled:
        return ZERO
    return hours_earned(activity.policy, attendance.minutes_attended, activity.length_minutes)


def correct(
    activity: Activity, attendance: Attendance, standing: Standing, rule: CycleRule
) -> Correction | None:
    """Keep (None) when the hours standing are the hours the rules give now; otherwise reverse
    what stands (if anything) and award the new hours (if any)."""
    hours = hours_now(activity, attendance)
    if standing.hours == hours:
        return None
    basis = f"attendance revision {attendance.revision}: {attendance.minutes_attended} min"
    reversal = _reversal(standing, basis) if standing.entry_id else None
    if hours <= 0:
        return Correction(standing, Standing.nothing(standing.pair), basis, reversal, None)
    assert activity.policy is not None, "only a policy earns hours"
    cycle = rule.cycle_of(activity.local_day).label
    award = Entry(
        attendance.person_id, activity.id, "award", hours, activity.policy.category.value, cycle, basis
    )
    after = Standing(activity.id, attendance.person_id, award.id, hours, award.category, award.cycle)
    return Correction(standing, after, basis, reversal, award)


def _reversal(standing: Standing, basis: str) -> Entry:
    assert standing.category is not None, "an award stands"
    assert standing.cycle is not None, "an award stands"
    return Entry(
        standing.person_id,
        standing.activity_id,
        "reversal",
        -standing.hours,
        standing.category,
        standing.cycle,
        f"corrected by {basis}",
        reverses=standing.entry_id,
    )


@dataclass(frozen=True)
class Reconciliation:
    """What reconciling many pairs decided, each list in pair order."""

    corrections: list[Correction]
    standing_awards: list[StandingAward]

    @property
    def entries(self) -> list[Entry]:
        """The ledger lines to append, in order: each pair's reversal before its new award."""
        return [e for c in self.corrections for e in (c.reversal, c.award) if e is not None]

    @property
    def standings(self) -> list[Standing]:
        return [c.after for c in self.corrections]

    @property
    def revoked(self) -> dict[Pair, str]:
        """The pairs whose certificate no longer holds, with the reason."""
        return {c.pair: c.revoked_reason for c in self.corrections if c.reversal is not None}


def reconcile(
    pairs: Sequence[Pair],
    activities: Mapping[uuid.UUID, Activity],
    attendance: Mapping[Pair, Attendance],
    standings: Mapping[Pair, Standing],
    rule: CycleRule,
) -> Reconciliation:
    """Decide each pair (its activity, attendance and standing all known) in the order given."""
    corrections: list[Correction] = []
    awards: list[StandingAward] = []
    for pair in pairs:
        activity, standing = activities[pair[0]], standings[pair]
        correction = correct(activity, attendance[pair], standing, rule)
        if correction is None:
            if standing.entry_id and activity.policy is not None:
                awards.append(
                    StandingAward(pair, activity, activity.policy, standing.entry_id, standing.hours)
                )
            continue
        corrections.append(correction)
        if correction.award is not None:
            assert activity.policy is not None
            award = correction.award
            awards.append(StandingAward(pair, activity, activity.policy, award.id, award.hours))
    return Reconciliation(corrections, awards)
