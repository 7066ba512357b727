"""The ledger's keep/reverse/award decision for one person and activity, and for many at once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hearth_credits.domain.activities import Activity
from hearth_credits.domain.attendance import Attendance, newest_per_pair
from hearth_credits.domain.cycles import CycleRule
from hearth_credits.domain.ledger import Standing, correct, reconcile
from hearth_shared.contracts.catalogue import CreditPolicy

pytestmark = pytest.mark.unit

RULE = CycleRule()
POLICY = CreditPolicy(
    hours=Decimal("1.5"), minimum_attendance_fraction=Decimal("0.75"), category="community_of_practice"
)


def activity(policy: CreditPolicy | None = POLICY, *, cancelled: bool = False) -> Activity:
    # 23:30 UTC on 31 March is 20:30 in Halifax: still the 2026-2027 cycle there.
    starts = datetime(2027, 3, 31, 23, 30, tzinfo=UTC)
    return Activity(uuid.uuid4(), "Noon", "Midi", starts, 90, "America/Halifax", policy, cancelled)


def attended(where: Activity, minutes: int, revision: int = 1, person: uuid.UUID | None = None) -> Attendance:
    return Attendance(uuid.uuid4(), where.id, person or uuid.uuid4(), minutes, revision)


def standing_award(record: Attendance, hours: str) -> Standing:
    return Standing(
        record.activity_id,
        record.person_id,
        uuid.uuid4(),
        Decimal(hours),
        "community_of_practice",
        "2026-2027",
    )


def test_a_first_award_is_appended_in_the_cycle_of_the_local_day() -> None:
    where = activity()
    record = attended(where, 86)
    correction = correct(where, record, Standing.nothing(record.pair), RULE)
    assert correction is not None
    assert correction.reversal is None
    assert correction.award is not None
    assert (correction.award.kind, correction.award.hours, correction.award.cycle) == (
        "award",
        Decimal("1.25"),
        "2026-2027",
    )
    assert correction.award.basis == "attendance revision 1: 86 min"
    assert correction.after == Standing(
        where.id, record.person_id, correction.award.id, Decimal("1.25"), "community_of_practice", "2026-2027"
    )


def test_the_same_hours_keep_what_stands() -> None:
    where = activity()
    record = attended(where, 86, revision=2)
    assert correct(where, record, standing_award(record, "1.25"), RULE) is None
    assert correct(where, attended(where, 10), Standing.nothing(record.pair), RULE) is None


def test_a_correction_reverses_the_award_then_awards_the_new_hours() -> None:
    where = activity()
    record = attended(where, 90, revision=3)
    before = standing_award(record, "1.25")
    correction = correct(where, record, before, RULE)
    assert correction is not None
    assert correction.reversal is not None
    assert correction.award is not None
    assert (correction.reversal.kind, correction.reversal.hours) == ("reversal", Decimal("-1.25"))
    assert correction.reversal.reverses == before.entry_id
    assert correction.reversal.basis == "corrected by attendance revision 3: 90 min"
    assert correction.award.hours == Decimal("1.50")
    assert correction.revoked_reason == "attendance corrected (attendance revision 3: 90 min)"


@pytest.mark.parametrize(
    ("where", "minutes"),
    [(activity(), 40), (activity(cancelled=True), 90)],
    ids=["too little time", "cancelled"],
)
def test_losing_the_hours_reverses_and_leaves_nothing_standing(where: Activity, minutes: int) -> None:
    record = attended(where, minutes, revision=2)
    correction = correct(where, record, standing_award(record, "1.25"), RULE)
    assert correction is not None
    assert correction.reversal is not None
    assert correction.award is None
    assert correction.after == Standing.nothing(record.pair)


def test_reconciling_many_pairs_orders_entries_and_names_the_awards_standing() -> None:
    where = activity()
    kept, corrected, lost = attended(where, 86), attended(where, 90, 2), attended(where, 30, 2)
    records = {r.pair: r for r in (kept, corrected, lost)}
    standings = {r.pair: standing_award(r, "1.25") for r in records.values()}
    pairs = sorted(records)
    decided = reconcile(pairs, {where.id: where}, records, standings, RULE)

    assert [c.pair for c in decided.corrections] == [p for p in pairs if p != kept.pair]
    kinds = [(e.person_id, e.kind) for e in decided.entries]
    assert kinds.index((corrected.person_id, "reversal")) + 1 == kinds.index((corrected.person_id, "award"))
    assert sorted(decided.revoked) == sorted([corrected.pair, lost.pair])
    assert {a.pair: a.hours for a in decided.standing_awards} == {
        kept.pair: Decimal("1.25"),
        corrected.pair: Decimal("1.50"),
    }
    assert next(a for a in decided.standing_awards if a.pair == kept.pair).entry_id == (
        standings[kept.pair].entry_id
    )


def test_an_activity_without_a_policy_stands_no_award_for_a_certificate() -> None:
    where = activity(policy=None)
    record = attended(where, 90)
    decided = reconcile([record.pair], {where.id: where}, {record.pair: record}, {
        record.pair: Standing.nothing(record.pair)
    }, RULE)  # fmt: skip
    assert (decided.corrections, decided.standing_awards) == ([], [])


def test_of_several_records_the_highest_revision_counts_and_the_last_of_equals() -> None:
    where = activity()
    person, other = uuid.uuid4(), uuid.uuid4()
    records = [
        attended(where, 60, 2, person),
        attended(where, 70, 1, person),
        attended(where, 80, 2, person),
        attended(where, 90, 1, other),
    ]
    newest = newest_per_pair(records)
    assert newest == {pair: newest[pair] for pair in sorted(newest)}  # sorted: one lock order
    assert newest[(where.id, person)] == 2
    assert newest[(where.id, other)] == 3
