"""Which payment confirms a ticket held awaiting payment (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hearth_registration import domain
from hearth_registration.domain import Payable, Payment, TicketStatus
from hearth_shared.contracts.catalogue import GatheringStatus

HELD = Payable(TicketStatus.AWAITING_PAYMENT, 4500, "CAD", None)


def test_a_priced_ticket_is_held_for_payment_and_a_free_one_is_not() -> None:
    assert domain.needs_payment(domain.TicketType("non_member", 4500, "CAD"))
    assert not domain.needs_payment(domain.TicketType("member", 0, "CAD"))


def test_the_price_in_its_currency_confirms_a_held_ticket() -> None:
    assert domain.check_payment(HELD, Payment(4500, "CAD", "pay-1")) == "confirm"


def test_the_recorded_payment_again_is_a_repeat() -> None:
    paid = Payable(TicketStatus.ACTIVE, 4500, "CAD", "pay-1")
    assert domain.check_payment(paid, Payment(4500, "CAD", "pay-1")) == "repeat"


@pytest.mark.parametrize(
    ("ticket", "payment", "code"),
    [
        (HELD, Payment(4000, "CAD", "pay-1"), "amount_mismatch"),
        (HELD, Payment(4500, "USD", "pay-1"), "amount_mismatch"),
        (Payable(TicketStatus.ACTIVE, 4500, "CAD", "pay-1"), Payment(4500, "CAD", "pay-2"), "already_paid"),
        (Payable(TicketStatus.ACTIVE, 0, "CAD", None), Payment(0, "CAD", None), "already_paid"),
        (Payable(TicketStatus.EXPIRED, 4500, "CAD", None), Payment(4500, "CAD", "pay-1"), "ticket_not_held"),
        (
            Payable(TicketStatus.CANCELLED, 4500, "CAD", None),
            Payment(4500, "CAD", "pay-1"),
            "ticket_not_held",
        ),
    ],
)
def test_a_payment_that_cannot_confirm_says_why(ticket: Payable, payment: Payment, code: str) -> None:
    with pytest.raises(domain.PaymentNotApplicable) as refused:
        domain.check_payment(ticket, payment)
    assert refused.value.code == code


def test_feedback_is_open_until_its_window_after_the_gathering_closes() -> None:
    ends = datetime(2027, 3, 11, 17, 30, tzinfo=UTC)
    window = timedelta(days=30)
    domain.check_feedback_open(GatheringStatus.CLOSED, ends, ends + window, window)
    with pytest.raises(domain.FeedbackClosed):
        domain.check_feedback_open(GatheringStatus.CLOSED, ends, ends + window + timedelta(seconds=1), window)
    with pytest.raises(domain.FeedbackClosed):
        domain.check_feedback_open(GatheringStatus.CANCELLED, ends, ends, window)


def test_an_edit_announces_only_the_wishes_it_adds() -> None:
    before = [{"interest": "peer_support", "practice_area": None, "language": "fr"}]
    after = [*before, {"interest": "peer_supervision", "practice_area": "justice", "language": "fr"}]
    assert domain.new_wishes(after, before) == after[1:]
