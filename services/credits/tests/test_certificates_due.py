"""When a certificate is due: an uncertified standing award, to someone reachable, once the
feedback form is in where the policy asks for it."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hearth_credits.domain.activities import Activity
from hearth_credits.domain.certificates import due, needing_feedback, new_code, uncertified
from hearth_credits.domain.ledger import StandingAward
from hearth_credits.domain.people import Person, reachable
from hearth_shared.contracts.catalogue import CreditPolicy

pytestmark = pytest.mark.unit


def award(requires_feedback: bool) -> StandingAward:
    policy = CreditPolicy(
        hours=Decimal("1.5"),
        minimum_attendance_fraction=Decimal("0.75"),
        category="community_of_practice",
        requires_feedback=requires_feedback,
    )
    where = Activity(uuid.uuid4(), "Noon", "Midi", datetime(2027, 3, 11, 16, tzinfo=UTC), 90, "UTC", policy)
    return StandingAward((where.id, uuid.uuid4()), where, policy, uuid.uuid4(), Decimal("1.50"))


def person_of(a: StandingAward, language: str = "fr") -> Person:
    return Person(a.pair[1], "Léa Martin", "lea@example.org", language)


def test_a_certificate_is_for_a_reachable_person_in_their_language() -> None:
    plain, waiting, unknown = award(False), award(True), award(False)
    people = {a.pair[1]: person_of(a) for a in (plain, waiting)}
    [(for_award, certificate)] = due([plain, waiting, unknown], set(), people)
    assert for_award is plain
    assert (certificate.activity_id, certificate.person_id) == plain.pair
    assert (certificate.entry_id, certificate.hours, certificate.language) == (
        plain.entry_id,
        Decimal("1.50"),
        "fr",
    )
    assert [a for a, _ in due([waiting], {waiting.pair}, people)] == [waiting]  # the form is in


def test_only_uncertified_awards_wait_and_only_some_need_feedback() -> None:
    plain, waiting = award(False), award(True)
    assert uncertified([plain, waiting], {plain.pair}) == [waiting]
    assert needing_feedback([plain, waiting]) == [waiting.pair]


def test_an_erased_person_or_one_without_email_is_not_reachable() -> None:
    a = award(False)
    erased = Person(uuid.uuid4(), None, None, "en", datetime.now(UTC))
    no_email = Person(uuid.uuid4(), "X", None)
    found = reachable({p.id: p for p in (person_of(a), erased, no_email)})
    assert list(found) == [a.pair[1]]


def test_codes_are_three_groups_of_four_and_differ() -> None:
    codes = {new_code() for _ in range(50)}
    assert len(codes) == 50
    assert all(re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", c) for c in codes)
