"""What credits publishes for a correction: the reversal of what stood, then the new award."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hearth_credits.domain.activities import Activity
from hearth_credits.domain.attendance import Attendance
from hearth_credits.domain.cycles import CycleRule
from hearth_credits.domain.ledger import Standing, correct
from hearth_credits.domain.people import Person
from hearth_credits.events import of_corrections, person_details
from hearth_shared.contracts.catalogue import CreditPolicy, CreditsAwarded, CreditsRevoked

pytestmark = pytest.mark.unit


def test_a_correction_publishes_the_reversal_then_the_award_with_whom_it_is_for() -> None:
    policy = CreditPolicy(
        hours=Decimal("1.5"), minimum_attendance_fraction=Decimal("0.75"), category="community_of_practice"
    )
    starts = datetime(2027, 3, 11, 16, tzinfo=UTC)
    where = Activity(uuid.uuid4(), "Noon", "Midi", starts, 90, "America/Halifax", policy)
    person = Person(uuid.uuid4(), "Léa Martin", "lea@example.org", "fr")
    record = Attendance(uuid.uuid4(), where.id, person.id, 90, 2)
    before = Standing(
        where.id, person.id, uuid.uuid4(), Decimal("1.25"), "community_of_practice", "2026-2027"
    )
    correction = correct(where, record, before, CycleRule())
    assert correction is not None

    [(pair, revoked), (same, awarded)] = of_corrections(
        [correction], {where.id: where}, {person.id: person_details(person)}
    )
    assert pair == same == (where.id, person.id)
    assert isinstance(revoked, CreditsRevoked)
    assert (revoked.reverses, revoked.hours, revoked.cycle) == (before.entry_id, Decimal("1.25"), "2026-2027")
    assert isinstance(awarded, CreditsAwarded)
    assert awarded.hours == Decimal("1.50")
    assert awarded.activity_title is not None
    assert awarded.activity_title.fr == "Midi"
    assert awarded.attendee is not None
    assert awarded.attendee.email == "lea@example.org"
