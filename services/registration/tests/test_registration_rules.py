"""Registration's rules, without I/O."""

from __future__ import annotations

import uuid

import pytest

from hearth_registration import domain
from hearth_registration.domain import Attestation, Breakout, TicketKind
from hearth_shared.contracts.catalogue import GatheringStatus

pytestmark = pytest.mark.unit

ATTESTED = Attestation("Social worker", "OTSTCFQ", "Québec", attests_regulated_profession=True)
NOTHING = Attestation(None, None, None, attests_regulated_profession=False)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("draft", "open"),
        ("open", "closed"),
        ("closed", "open"),
        ("draft", "cancelled"),
        ("open", "cancelled"),
        ("closed", "cancelled"),
    ],
)
def test_allowed_status_transitions(current: str, target: str) -> None:
    domain.check_transition(GatheringStatus(current), GatheringStatus(target))


@pytest.mark.parametrize(
    ("current", "target"),
    [("draft", "closed"), ("cancelled", "open"), ("cancelled", "closed"), ("open", "draft")],
)
def test_refused_status_transitions_say_what_is_allowed(current: str, target: str) -> None:
    with pytest.raises(domain.TransitionRefused, match="allowed") as refused:
        domain.check_transition(GatheringStatus(current), GatheringStatus(target))
    assert refused.value.field == "status"


def test_a_member_ticket_needs_an_active_membership_and_the_refusal_never_says_why() -> None:
    domain.check_eligible(TicketKind.MEMBER, "active", NOTHING)
    for membership in ("lapsed", "suspended", "resigned", None):
        with pytest.raises(domain.MembershipNotConfirmed) as refused:
            domain.check_eligible(TicketKind.MEMBER, membership, NOTHING)
        assert str(refused.value) == domain.MEMBERSHIP_NOT_CONFIRMED
        assert (refused.value.code, refused.value.field) == ("membership_not_confirmed", "ticket_type")


def test_a_non_member_ticket_needs_each_attested_detail() -> None:
    domain.check_eligible(TicketKind.NON_MEMBER, None, ATTESTED)
    for missing in ("profession", "regulatory_body", "region", "attests_regulated_profession"):
        partial = Attestation(
            **{**vars(ATTESTED), missing: None if missing != "attests_regulated_profession" else False}
        )
        with pytest.raises(domain.NotEligible) as refused:
            domain.check_eligible(TicketKind.NON_MEMBER, None, partial)
        assert refused.value.field == missing


def test_free_and_student_tickets_need_nothing() -> None:
    domain.check_eligible(TicketKind.FREE, None, NOTHING)
    domain.check_eligible(TicketKind.STUDENT, None, NOTHING)


def _room(language: str | None, area: str | None, free: int) -> Breakout:
    return Breakout(uuid.uuid4(), language, area, free)


def test_breakouts_are_chosen_by_language_first_then_practice_area() -> None:
    french_justice = _room("fr", "justice", 5)
    french_housing = _room("fr", "housing_and_poverty", 30)
    english_justice = _room("en", "justice", 50)
    any_language = _room(None, "justice", 50)
    rooms = [english_justice, any_language, french_housing, french_justice]
    assert domain.breakout_preference(rooms, "fr", "justice") == [
        french_justice,
        french_housing,
        any_language,
        english_justice,
    ]


def test_full_breakouts_are_never_chosen() -> None:
    full = _room("fr", None, 0)
    assert domain.breakout_preference([full], "fr", None) == []


def test_emails_identify_people_case_insensitively() -> None:
    assert domain.normalise_email("  Sam.Tremblay@Example.ORG ") == "sam.tremblay@example.org"
