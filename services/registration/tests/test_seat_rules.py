"""The purchase's decisions, waitlist offers, pricing, changes to a gathering and feedback,
without I/O."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from hearth_registration import domain
from hearth_registration.domain import FollowUp, TicketKind, TicketType, WaitlistStatus
from hearth_shared.contracts.catalogue import GatheringStatus, Interest

pytestmark = pytest.mark.unit

OPEN = GatheringStatus.OPEN


def test_an_open_gathering_with_a_free_seat_sells_a_ticket() -> None:
    assert domain.seat_or_line(OPEN, capacity=2, seats_taken=1) == "ticket"


def test_a_full_open_gathering_puts_the_person_in_line() -> None:
    assert domain.seat_or_line(OPEN, capacity=2, seats_taken=2) == "waitlisted"
    assert domain.seat_or_line(OPEN, capacity=0, seats_taken=0) == "waitlisted"


@pytest.mark.parametrize("status", [GatheringStatus.DRAFT, GatheringStatus.CLOSED, GatheringStatus.CANCELLED])
def test_a_gathering_that_is_not_open_sells_nothing_and_keeps_no_line(status: GatheringStatus) -> None:
    for seats_taken in (0, 5):
        with pytest.raises(domain.GatheringNotOpen, match=f"is {status.value}"):
            domain.seat_or_line(status, capacity=5, seats_taken=seats_taken)


TYPES = [TicketType("member", 0, "CAD"), TicketType("non_member", 4500, "CAD")]


def test_the_offered_ticket_type_carries_its_price() -> None:
    assert domain.offered(TicketKind.NON_MEMBER, TYPES) == TicketType("non_member", 4500, "CAD")


def test_a_ticket_type_not_offered_is_refused_naming_what_is() -> None:
    with pytest.raises(domain.TicketTypeNotOffered, match=r"it offers: member, non_member") as refused:
        domain.offered(TicketKind.STUDENT, TYPES)
    assert refused.value.field == "ticket_type"
    with pytest.raises(domain.TicketTypeNotOffered, match=r"it offers: none"):
        domain.offered(TicketKind.FREE, [])


def test_one_ticket_and_one_place_in_line_per_person() -> None:
    domain.check_new_to_gathering("a@example.org", has_ticket=False, is_waiting=False)
    with pytest.raises(domain.AlreadyRegistered):
        domain.check_new_to_gathering("a@example.org", has_ticket=True, is_waiting=False)
    with pytest.raises(domain.AlreadyWaiting):
        domain.check_new_to_gathering("a@example.org", has_ticket=False, is_waiting=True)


def test_an_idempotency_key_replays_only_for_its_own_gathering() -> None:
    gathering = uuid.uuid4()
    domain.check_replay(gathering, gathering)
    with pytest.raises(domain.RegistrationRefused, match="another gathering"):
        domain.check_replay(uuid.uuid4(), gathering)


NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def test_an_offer_is_accepted_only_while_open_and_held() -> None:
    domain.check_can_accept(WaitlistStatus.OFFERED, NOW + timedelta(seconds=1), NOW)
    with pytest.raises(domain.OfferNotOpen, match="expired"):
        domain.check_can_accept(WaitlistStatus.OFFERED, NOW, NOW)
    with pytest.raises(domain.OfferNotOpen, match="is waiting, not offered"):
        domain.check_can_accept(WaitlistStatus.WAITING, NOW + timedelta(hours=1), NOW)


def test_only_an_open_entry_leaves_the_line_and_only_an_offer_passes_a_seat_on() -> None:
    for status in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
        domain.check_can_withdraw(status)
    for status in (WaitlistStatus.ACCEPTED, WaitlistStatus.EXPIRED, WaitlistStatus.WITHDRAWN):
        with pytest.raises(domain.OfferNotOpen, match="already"):
            domain.check_can_withdraw(status)
    assert [s for s in WaitlistStatus if domain.holds_a_seat(s)] == [WaitlistStatus.OFFERED]


def test_a_change_keeps_the_seats_already_taken_and_never_touches_a_cancelled_gathering() -> None:
    domain.check_change(OPEN, capacity=3, seats_taken=3)
    with pytest.raises(domain.InvalidGathering, match="3 seats are already taken") as refused:
        domain.check_change(OPEN, capacity=2, seats_taken=3)
    assert refused.value.field == "capacity"
    with pytest.raises(domain.TransitionRefused, match="cancelled"):
        domain.check_change(GatheringStatus.CANCELLED, capacity=10, seats_taken=0)


def test_feedback_comes_only_from_those_recorded_as_attending() -> None:
    domain.check_attended(1)
    for minutes in (None, 0):
        with pytest.raises(domain.NotAnAttendee):
            domain.check_attended(minutes)


def test_follow_up_is_in_the_persons_language_unless_they_chose_one() -> None:
    asked = [FollowUp(Interest.PEER_SUPPORT, None, None), FollowUp(Interest.PEER_SUPPORT, "justice", "en")]
    assert domain.wishes(asked, "fr") == [
        {"interest": "peer_support", "practice_area": None, "language": "fr"},
        {"interest": "peer_support", "practice_area": "justice", "language": "en"},
    ]


def test_refusals_about_the_request_itself_are_told_apart_from_conflicts() -> None:
    about_the_request = {domain.NotEligible, domain.InvalidGathering, domain.TicketTypeNotOffered}
    about_the_request.add(domain.UnknownBreakout)
    assert all(issubclass(e, domain.InvalidRequest) for e in about_the_request)
    conflicts = [domain.GatheringNotOpen, domain.AlreadyRegistered, domain.BreakoutFull, domain.OfferNotOpen]
    assert not any(issubclass(e, domain.InvalidRequest) for e in conflicts)
